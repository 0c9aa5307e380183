// The rule model: source kinds, what a loaded rule holds (pattern or lifter match, emits,
// evidence fields), per-rule operator state, and the tag a rule produces.
import type { CompiledPattern } from './compiled-pattern.js';

/**
 * Every kind of source a rule may apply to. Upstream's kinds, plus the prober's fingerprint types
 * (`jarm`, `hassh`, `tcpfp`, `tls_cert`), which reach the engine but have no rules yet.
 */
export const SOURCE_KINDS = [
  'command',
  'http_request',
  'auth_attempt',
  'payload',
  'session',
  'email',
  'intel',
  'canary_fingerprint',
  'identity',
  'credential',
  'ipv6_leak',
  'jarm',
  'hassh',
  'tcpfp',
  'tls_cert',
] as const;

/** One source kind. */
export type SourceKind = (typeof SOURCE_KINDS)[number];

/** True when `value` is a known source kind. */
export function isSourceKind(value: unknown): value is SourceKind {
  return typeof value === 'string' && (SOURCE_KINDS as readonly string[]).includes(value);
}

/** Field a pattern rule reads when its `match` names none (upstream's defaults). */
export const DEFAULT_MATCH_FIELDS: Readonly<Partial<Record<SourceKind, string>>> = {
  command: 'command_text',
  http_request: 'raw_url',
  email: 'subject',
  intel: 'verdict',
  canary_fingerprint: 'ua_signature',
  auth_attempt: 'username',
  payload: 'payload_text',
};

/** Evidence every `command` tag carries when the payload has it (who ran it, where). */
export const COMMAND_CONTEXT_FIELDS = ['uid', 'user', 'src', 'pwd'] as const;

/** One `emits` entry: a technique the rule asserts, at a base confidence. */
export interface RuleEmit {
  /** `TA0006` */
  readonly tactic: string;
  /** `T1110` */
  readonly techniqueId: string;
  /** `T1110.001`, or undefined. */
  readonly subTechniqueId?: string;
  /** Base confidence, 0..1. */
  readonly confidence: number;
}

/** A rule matched by a (translated) regular expression over one payload field. */
export interface PatternMatch {
  readonly type: 'pattern';
  /** The payload key read; undefined means the kind's default ({@link DEFAULT_MATCH_FIELDS}). */
  readonly field?: string;
  readonly pattern: CompiledPattern;
}

/** A rule evaluated by a lifter (code), with the thresholds from its YAML. */
export interface LifterMatch {
  readonly type: 'lifter';
  /** `credential_auth_brute_generic` (the part after `lifter:`). */
  readonly lifter: string;
  /** The lifter's compiled parameters; undefined when no lifter owns this name (dormant rule). */
  readonly params: unknown;
}

/** A loaded, validated rule. */
export interface Rule {
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly name: string;
  readonly description: string;
  readonly appliesTo: readonly SourceKind[];
  readonly match: PatternMatch | LifterMatch;
  readonly emits: readonly RuleEmit[];
  readonly evidenceFields: readonly string[];
  /** The file it came from. */
  readonly file: string;
}

/** Operator override of one rule (`ttp_rule_state`). */
export interface RuleState {
  readonly state: 'enabled' | 'disabled' | 'clipped';
  /** Ceiling for `clipped`: confidence becomes min(computed, this); never raised. */
  readonly confidenceMax?: number | null;
  /** The override lapses at this instant (the rule reverts to enabled); none when absent. */
  readonly expiresAt?: Date | null;
}

/** Where a tag comes from and what it is anchored to. */
export interface TagSource {
  readonly sourceKind: string;
  readonly sourceId: string;
  readonly payload: Readonly<Record<string, unknown>>;
}

/** A tag as produced by the engine (before anchoring to an attacker or identity). */
export interface TagCandidate {
  /** Deterministic id, see `tagUuid`. */
  readonly uuid: string;
  readonly sourceKind: string;
  readonly sourceId: string;
  readonly ruleId: string;
  readonly ruleVersion: number;
  readonly ruleName: string;
  readonly tactic: string;
  readonly techniqueId: string;
  readonly subTechniqueId: string | null;
  readonly confidence: number;
  readonly evidence: Readonly<Record<string, unknown>>;
  readonly mitreUrl: string;
  readonly attackRelease: string;
  /** True when the tag must anchor on the identity only (the identity lifter nulls the attacker). */
  readonly identityOnly: boolean;
}
