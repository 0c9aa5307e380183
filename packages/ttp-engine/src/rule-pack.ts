// decnet's own ATT&CK rule pack (packages/ttp-engine/rules) and the rule sets built on it: the
// pack alone, the pack with an operator's directory added (same id overrides), or the directory
// instead of it. Bundles carry the pack's text (tools/bundle defines it); source runs read it.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AttackCatalog } from './attack-catalog.js';
import { RuleLoadError } from './errors.js';
import {
  isDormant,
  loadRuleDirectory,
  loadRuleTexts,
  RULE_FILE_PATTERN,
  type RuleLoadReport,
  type RuleText,
} from './rule-loader.js';
import type { Rule } from './rule.js';

/**
 * The pack's files by name, put there at build time by tools/bundle/bundle.mjs (an esbuild
 * `define` of `globalThis.DECNET_TTP_RULE_PACK` as JSON text), so a bundle needs no file beside
 * it. Undefined when running from source, where the pack is read from its directory.
 */
const EMBEDDED_PACK = parseEmbeddedPack((globalThis as { DECNET_TTP_RULE_PACK?: unknown }).DECNET_TTP_RULE_PACK);

function parseEmbeddedPack(json: unknown): Readonly<Record<string, string>> | undefined {
  return typeof json === 'string' ? (JSON.parse(json) as Record<string, string>) : undefined;
}

/** Prefix under which the shipped pack's files are reported (`decnet-pack:R0013.yaml:12: ...`). */
export const SHIPPED_PACK_ORIGIN = 'decnet-pack';
/** The pack's directory in the source tree (read when not bundled). */
const SOURCE_DIR = new URL('../rules/', import.meta.url);

/** How an operator's rule directory combines with the shipped pack. */
export const RULES_MODES = ['add', 'replace'] as const;
/**
 * `add`: the pack plus the directory's rules, a directory rule replacing the pack's rule with the
 * same id. `replace`: the directory's rules only.
 */
export type RulesMode = (typeof RULES_MODES)[number];

/** The shipped pack's rule files, sorted by name. */
export function shippedRuleTexts(): RuleText[] {
  const entries: [string, string][] = EMBEDDED_PACK
    ? Object.entries(EMBEDDED_PACK)
    : readdirSync(SOURCE_DIR)
        .filter((name) => RULE_FILE_PATTERN.test(name))
        .map((name) => [name, readFileSync(new URL(name, SOURCE_DIR), 'utf8')]);
  return entries
    .filter(([name]) => RULE_FILE_PATTERN.test(name))
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, text]) => ({ file: `${SHIPPED_PACK_ORIGIN}:${name}`, text }));
}

/** True when the pack comes from the bundle rather than the source tree. */
export function isShippedPackEmbedded(): boolean {
  return EMBEDDED_PACK !== undefined;
}

/** Where the shipped pack is read from: the bundle, or its directory in the source tree. */
export function shippedPackLocation(): string {
  return isShippedPackEmbedded() ? 'built into this bundle' : fileURLToPath(SOURCE_DIR).replace(/\/$/, '');
}

/** Loads the shipped pack. Never throws; a broken pack file is an entry of `errors` (a test keeps it empty). */
export function loadShippedRules(attack: AttackCatalog): RuleLoadReport {
  return loadRuleTexts(shippedRuleTexts(), attack);
}

/** What a rule set is made of. */
export interface RuleSetOptions {
  /** An operator's rule directory; none when undefined or empty. */
  readonly dir?: string | undefined;
  /** @default 'add' */
  readonly mode?: RulesMode;
}

/** A rule set's makeup: how many rules each source contributed. */
export interface RuleSetSource {
  readonly kind: 'pack' | 'directory';
  /** `decnet-pack` or the directory path. */
  readonly location: string;
  /** Rules of this source in the set. */
  readonly rules: number;
}

/** A loaded rule set: the load report of everything in it, and where each part came from. */
export interface RuleSetReport extends RuleLoadReport {
  readonly mode: RulesMode;
  readonly sources: readonly RuleSetSource[];
  /** Ids the directory took over from the pack, sorted. */
  readonly overridden: readonly string[];
  /** The directory could not be read (the pack still loads in `add` mode). */
  readonly dirError?: RuleLoadError;
  /** The rule's source, by id. */
  readonly originOf: ReadonlyMap<string, 'pack' | 'directory'>;
}

/**
 * Loads the shipped pack and/or an operator's directory (see {@link RulesMode}). Never throws:
 * an unreadable directory is `dirError`; in `add` mode the pack still loads. A directory file
 * that fails to load does not hide the pack's rule with the same id.
 */
export function loadRuleSet(attack: AttackCatalog, options: RuleSetOptions = {}): RuleSetReport {
  const mode = options.mode ?? 'add';
  const dir = options.dir === undefined || options.dir === '' ? undefined : options.dir;
  const pack = mode === 'add' ? loadShippedRules(attack) : undefined;
  let local: RuleLoadReport | undefined;
  let dirError: RuleLoadError | undefined;
  if (dir !== undefined) {
    try {
      local = loadRuleDirectory(dir, attack);
    } catch (err) {
      dirError =
        err instanceof RuleLoadError ? err : new RuleLoadError(dir, 0, 0, (err as Error).message, { cause: err });
    }
  }
  const byId = new Map<string, Rule>();
  const originOf = new Map<string, 'pack' | 'directory'>();
  for (const rule of pack?.rules ?? []) {
    byId.set(rule.ruleId, rule);
    originOf.set(rule.ruleId, 'pack');
  }
  const overridden: string[] = [];
  for (const rule of local?.rules ?? []) {
    if (originOf.get(rule.ruleId) === 'pack') overridden.push(rule.ruleId);
    byId.set(rule.ruleId, rule);
    originOf.set(rule.ruleId, 'directory');
  }
  const rules = [...byId.values()].sort((a, b) => a.ruleId.localeCompare(b.ruleId));
  const count = (origin: 'pack' | 'directory'): number => rules.filter((r) => originOf.get(r.ruleId) === origin).length;
  const sources: RuleSetSource[] = [];
  if (pack) sources.push({ kind: 'pack', location: SHIPPED_PACK_ORIGIN, rules: count('pack') });
  if (dir !== undefined) sources.push({ kind: 'directory', location: dir, rules: count('directory') });
  return {
    rules,
    errors: [...(pack?.errors ?? []), ...(local?.errors ?? [])],
    warnings: [...(pack?.warnings ?? []), ...(local?.warnings ?? [])],
    dormant: rules.filter(isDormant),
    files: (pack?.files ?? 0) + (local?.files ?? 0),
    mode,
    sources,
    overridden: overridden.sort(),
    ...(dirError ? { dirError } : {}),
    originOf,
  };
}

/**
 * One line saying how many rules are loaded and from where, for logs, health and the CLI:
 * `59 rules: 57 from the decnet pack, 2 from /etc/decnet/ttp (overriding R0012, R0013)`.
 */
export function describeRuleSet(report: RuleSetReport): string {
  const parts = report.sources.map((s) => {
    if (s.kind === 'pack') return `${s.rules} from the decnet pack`;
    const overriding = report.overridden.length > 0 ? ` (overriding ${report.overridden.join(', ')})` : '';
    const unreadable = report.dirError ? ' (unreadable)' : '';
    return `${s.rules} from ${s.location}${overriding}${unreadable}`;
  });
  const total = `${report.rules.length} rule${report.rules.length === 1 ? '' : 's'}`;
  return parts.length === 0 ? `${total}: no rule source` : `${total}: ${parts.join(', ')}`;
}
