// Pure derivation of tagging jobs from bus events: which source kind, which source id, which
// anchor (attacker uuid, identity, or an address to look up), per upstream topic — plus the
// deliberate fixes: log events become command / http_request / auth_attempt sources (upstream
// had no producer), reuse events fan out per attacker, ids never collide across attackers.
import { createHash } from 'node:crypto';
import { EVENTS, eventForSubject, type Envelope, type LogEventPayload, type SessionEndedPayload } from '@decnet/core';
import { isSourceKind, type AuthWindow, type SourceKind, type TagSource } from '@decnet/ttp-engine';
import * as z from 'zod/mini';

/** Where a job's tags are anchored. At least one must resolve before the tags are written. */
export interface Anchor {
  readonly attackerUuid?: string;
  readonly identityUuid?: string;
  /** Looked up in `attackers.ip` when no uuid is given (or the given one is unknown). */
  readonly attackerIp?: string;
}

/** One source to tag, with its anchor and context columns. */
export interface TagJob {
  readonly source: TagSource;
  readonly anchor: Anchor;
  readonly sessionId: string | null;
  readonly deckyId: string | null;
}

/** What one event asks for. */
export interface Derived {
  readonly jobs: TagJob[];
  /** Re-tag the attacker's stored intel (upstream's catch-up on every session end). */
  readonly intelCatchUp?: { readonly sourceId: string; readonly anchor: Anchor; readonly sessionId: string | null };
  /** An attacker address the event says now exists (wakes pending jobs). */
  readonly wake?: string;
}

/** Why an event was skipped. */
export interface Malformed {
  readonly malformed: string;
}

/** What derivation needs besides the event. */
export interface DeriveContext {
  /** Credential counters (fail_count, password_count, prior_brute) for auth attempts. */
  readonly authWindow: AuthWindow;
  /** Width of the buckets high-volume sources (HTTP requests, auth attempts) are folded into. */
  readonly dedupWindowMs: number;
  /** Derive sources from `log.event.*` records. */
  readonly logEvents: boolean;
}

/** Services whose `command` events are database operations (data destruction), not shell lines. */
export const DATABASE_SERVICES: ReadonlySet<string> = new Set(['redis', 'mysql', 'postgres', 'mongodb', 'mssql', 'elasticsearch']);
/** Event types that are authentication attempts. */
const AUTH_EVENT_TYPES: ReadonlySet<string> = new Set(['auth_attempt', 'auth', 'login', 'login_attempt']);
/** Longest text taken from a payload into a job. */
const MAX_TEXT = 16_384;

type Payload = Readonly<Record<string, unknown>>;

const text = (v: unknown): string | undefined => (typeof v === 'string' && v.length > 0 ? v.slice(0, MAX_TEXT) : undefined);
const uuidLike = (v: unknown): string | undefined =>
  typeof v === 'string' && /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(v) ? canonicalUuid(v) : undefined;

function canonicalUuid(v: string): string {
  const hex = v.replace(/-/g, '').toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Upstream's source id order, ending with the envelope id (upstream used the topic, so tags of different attackers collided). */
function sourceIdOf(payload: Payload, envelope: Envelope, prefer: readonly string[] = []): string {
  for (const key of [...prefer, 'source_id', 'session_id', 'token_id', 'identity_uuid', 'credential_id', 'attacker_uuid', 'uuid']) {
    const v = payload[key];
    if ((typeof v === 'string' && v.length > 0) || typeof v === 'number') return String(v).slice(0, 256);
  }
  return envelope.id;
}

function anchorOf(payload: Payload, ipKeys: readonly string[] = ['attacker_ip']): Anchor {
  const attackerUuid = uuidLike(payload.attacker_uuid);
  const identityUuid = uuidLike(payload.identity_uuid);
  const attackerIp = ipKeys.map((k) => text(payload[k])).find((v) => v !== undefined);
  return {
    ...(attackerUuid ? { attackerUuid } : {}),
    ...(identityUuid ? { identityUuid } : {}),
    ...(attackerIp ? { attackerIp } : {}),
  };
}

const hasAnchor = (a: Anchor): boolean => a.attackerUuid !== undefined || a.identityUuid !== undefined || a.attackerIp !== undefined;

/**
 * The source id of one shell command: a digest of who ran what, where and when, so the command
 * seen live on `log.event.*` and again in `attacker.session.ended` tags once.
 */
export function commandSourceId(ip: string, decky: string, service: string, ts: string, command: string): string {
  const digest = createHash('sha256').update([ip, decky, service, ts, command].join('\u0000')).digest('hex');
  return `cmd:${digest.slice(0, 32)}`;
}

/** The instant as the collector writes it in session commands (ISO 8601, milliseconds), or undefined. */
function isoInstant(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

const objectPayload = z.record(z.string(), z.unknown());
/** The fields of a session tagging validates; its commands are read one by one, skipping damaged entries. */
const SESSION_FIELDS = ['session_id', 'attacker_uuid', 'attacker_ip', 'decky_id', 'service'] as const satisfies readonly (keyof SessionEndedPayload)[];
/** The fields of a log event tagging reads: the catalogue's schema, cut to them (a hot path). */
const LOG_FIELDS = ['decky', 'service', 'event_type', 'attacker_ip', 'time', 'timestamp', 'fields', 'msg', 'command'] as const satisfies readonly (keyof LogEventPayload)[];

/** The first issue of a failed parse: `<subject> without <field>`, or `<subject>: invalid <field>`. */
function describeIssue(subject: string, payload: Payload, issues: readonly { path: readonly PropertyKey[] }[]): string {
  const path = issues[0]?.path ?? [];
  let value: unknown = payload;
  for (const key of path) value = value !== null && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined;
  const field = path.map(String).join('.') || 'payload';
  return value === undefined ? `${subject} without ${field}` : `${subject}: invalid ${field}`;
}

function job(kind: SourceKind, sourceId: string, payload: Payload, anchor: Anchor, sessionId: unknown, deckyId: unknown): TagJob {
  return { source: { sourceKind: kind, sourceId, payload }, anchor, sessionId: text(sessionId)?.slice(0, 256) ?? null, deckyId: text(deckyId)?.slice(0, 256) ?? null };
}

function sessionEnded(envelope: Envelope, payload: Payload): Derived | Malformed {
  const parsed = EVENTS.attackerSessionEnded.fieldsSchema(SESSION_FIELDS).safeParse(payload);
  if (!parsed.success) return { malformed: describeIssue(envelope.topic, payload, parsed.error.issues) };
  if (payload.commands !== undefined && payload.commands !== null && !Array.isArray(payload.commands)) {
    return { malformed: `${envelope.topic}: invalid commands` };
  }
  const p = { ...parsed.data, commands: (payload.commands ?? []) as unknown[] };
  const anchor = anchorOf(payload);
  const sourceId = sourceIdOf(payload, envelope);
  const jobs: TagJob[] = [job('session', sourceId, payload, anchor, p.session_id, p.decky_id)];
  (p.commands ?? []).forEach((entry, index) => {
    if (!entry || typeof entry !== 'object') return;
    const c = entry as Payload;
    const commandText = text(c.command_text) ?? text(c.command) ?? text(c.cmd);
    if (commandText === undefined) return;
    const decky = text(c.decky) ?? text(p.decky_id) ?? '';
    const service = text(c.service) ?? text(p.service) ?? '';
    const ts = isoInstant(c.ts);
    const id =
      ts !== undefined
        ? commandSourceId(p.attacker_ip, decky, service, ts, commandText)
        : (text(c.id) ?? text(c.uuid) ?? text(c.command_id) ?? `${sourceId}#cmd${index}`);
    const commandPayload: Record<string, unknown> = { command_text: commandText, decky, service };
    for (const key of ['uid', 'user', 'src', 'pwd', 'ts']) if (c[key] !== undefined) commandPayload[key] = c[key];
    jobs.push(job('command', id, commandPayload, anchor, p.session_id, decky || p.decky_id));
  });
  const session = text(p.session_id) ?? anchor.attackerUuid;
  return {
    jobs,
    ...(session ? { intelCatchUp: { sourceId: `intel-catchup:${session}`, anchor, sessionId: text(p.session_id) ?? null } } : {}),
  };
}

function fieldText(fields: Payload, key: string): string | undefined {
  const v = fields[key];
  return typeof v === 'string' ? text(v) : typeof v === 'number' ? String(v) : undefined;
}

/** Sources derived from one parsed log record (`log.event.<service>`). */
export function jobsFromLogEvent(envelope: Envelope, payload: Payload, context: DeriveContext): Derived | Malformed {
  const parsed = EVENTS.logEvent.fieldsSchema(LOG_FIELDS).safeParse(payload);
  if (!parsed.success) return { malformed: `log event without ${parsed.error.issues[0]?.path.join('.') ?? 'fields'}` };
  const r = parsed.data;
  const ip = r.attacker_ip;
  if (ip.length === 0) return { malformed: 'log event without attacker_ip' };
  if (ip === 'Unknown' || ip === '-') return { jobs: [] };
  const f = r.fields;
  const parsedAt = Date.parse(r.time ?? '');
  const fallbackAt = envelope.ts * 1000;
  // A representable instant: the record's, else the envelope's, else now.
  const at = Number.isFinite(parsedAt) ? parsedAt : Number.isFinite(new Date(fallbackAt).getTime()) ? fallbackAt : Date.now();
  const iso = new Date(at).toISOString();
  const bucket = Math.floor(at / context.dedupWindowMs);
  const anchor: Anchor = { attackerIp: ip };
  const sid = fieldText(f, 'sid') ?? null;
  const service = r.service;
  const type = r.event_type;

  if (type === 'command') {
    const args = fieldText(f, 'args') ?? fieldText(f, 'arg');
    const base = r.command?.command ?? fieldText(f, 'command') ?? fieldText(f, 'cmd') ?? text(r.msg);
    if (base === undefined) return { jobs: [] };
    const commandText = (args ? `${base} ${args}` : base).slice(0, MAX_TEXT);
    if (DATABASE_SERVICES.has(service)) {
      const op = { op_text: commandText, service, target: fieldText(f, 'database') ?? service };
      return { jobs: [job('session', `op:${envelope.id}`, op, anchor, sid, r.decky)] };
    }
    const commandPayload: Record<string, unknown> = { command_text: commandText, decky: r.decky, service, ts: iso };
    const user = fieldText(f, 'user');
    const cwd = fieldText(f, 'cwd') ?? fieldText(f, 'pwd');
    if (user) commandPayload.user = user;
    if (cwd) commandPayload.pwd = cwd;
    // Same id as the collector's session fan-out gives this command (ts is the record's instant).
    const id = commandSourceId(ip, r.decky, service, iso, commandText);
    return { jobs: [job('command', id, commandPayload, anchor, sid, r.decky)] };
  }

  const jobs: TagJob[] = [];
  if (type === 'request') {
    const target = fieldText(f, 'path') ?? fieldText(f, 'url') ?? '';
    const query = target.indexOf('?');
    jobs.push(
      job(
        'http_request',
        `http:${ip}|${bucket}`,
        {
          raw_url: target,
          request_path: query >= 0 ? target.slice(0, query) : target,
          user_agent: fieldText(f, 'user_agent'),
          method: fieldText(f, 'method'),
          host: fieldText(f, 'host'),
          headers: fieldText(f, 'headers'),
          status: fieldText(f, 'status'),
          decky: r.decky,
          service,
        },
        anchor,
        sid,
        r.decky,
      ),
    );
  }
  if (AUTH_EVENT_TYPES.has(type) || f.secret_b64 !== undefined) {
    const username = fieldText(f, 'username') ?? fieldText(f, 'principal');
    const password = typeof f.secret_printable === 'string' ? f.secret_printable.slice(0, 512) : undefined;
    const outcome = f.outcome === 'success' ? 'success' : f.outcome === 'failure' ? 'failure' : 'other';
    const secretKey = password ?? (typeof f.secret_b64 === 'string' ? createHash('sha256').update(f.secret_b64).digest('hex') : undefined);
    const counters = context.authWindow.observe({
      source: ip,
      ...(username === undefined ? {} : { username }),
      ...(secretKey === undefined ? {} : { secret: secretKey }),
      outcome,
      at,
    });
    jobs.push(
      job(
        'auth_attempt',
        `auth:${ip}|${service}|${bucket}`,
        { username, password, outcome, service, decky: r.decky, ...counters },
        anchor,
        sid,
        r.decky,
      ),
    );
  }
  return { jobs };
}

/** Maps a fingerprint event to its source kind (upstream: the envelope type). */
function fingerprintKind(envelope: Envelope, payload: Payload): SourceKind | undefined {
  const candidates = [envelope.type, text(payload.type), text(payload.probe_type)].map((k) => (k === 'ipv6_link_local_leak' ? 'ipv6_leak' : k));
  return candidates.find((k): k is SourceKind => isSourceKind(k));
}

/**
 * The jobs for one envelope. Never throws: a payload that cannot be used comes back as
 * {@link Malformed} with the reason.
 */
export function jobsFromEnvelope(envelope: Envelope, context: DeriveContext): Derived | Malformed {
  const checked = objectPayload.safeParse(envelope.payload);
  if (!checked.success) return { malformed: 'payload is not an object' };
  const payload = checked.data;
  const topic = envelope.topic;
  if (EVENTS.logEvent.matches(topic)) return context.logEvents ? jobsFromLogEvent(envelope, payload, context) : { jobs: [] };
  // Every other input is held to its catalogue schema first; the cases below then read leniently.
  const spec = eventForSubject(topic);
  if (spec && spec !== EVENTS.attackerSessionEnded) {
    const valid = spec.schema.safeParse(payload);
    if (!valid.success) return { malformed: describeIssue(topic, payload, valid.error.issues) };
  }
  switch (spec) {
    case EVENTS.attackerSessionEnded:
      return sessionEnded(envelope, payload);
    case EVENTS.attackerObserved:
    case EVENTS.attackerScored: {
      const anchor = anchorOf(payload);
      if (!hasAnchor(anchor)) return { malformed: `${topic} without attacker_ip` };
      const wake = anchor.attackerIp;
      if (spec === EVENTS.attackerScored) return { jobs: [], ...(wake ? { wake } : {}) };
      return { jobs: [job('session', sourceIdOf(payload, envelope), payload, anchor, payload.session_id, payload.decky)], ...(wake ? { wake } : {}) };
    }
    case EVENTS.attackerIntelEnriched: {
      const anchor = anchorOf(payload);
      if (!hasAnchor(anchor)) return { malformed: 'attacker.intel.enriched without attacker_uuid or attacker_ip' };
      return { jobs: [job('intel', sourceIdOf(payload, envelope), payload, anchor, null, null)] };
    }
    case EVENTS.attackerFingerprinted: {
      const anchor = anchorOf(payload);
      if (!hasAnchor(anchor)) return { malformed: 'attacker.fingerprinted without attacker_ip' };
      const kind = fingerprintKind(envelope, payload);
      if (!kind) return { jobs: [] };
      return { jobs: [job(kind, sourceIdOf(payload, envelope), payload, anchor, null, payload.decky)] };
    }
    case EVENTS.identityFormed:
    case EVENTS.identityMerged: {
      const identityUuid = uuidLike(payload.identity_uuid) ?? uuidLike(payload.winner_uuid);
      if (!identityUuid) return { malformed: `${topic} without identity_uuid` };
      const identityPayload = { ...payload, identity_uuid: identityUuid };
      return { jobs: [job('identity', sourceIdOf(identityPayload, envelope), identityPayload, { identityUuid }, null, null)] };
    }
    case EVENTS.credentialReuseDetected: {
      // Upstream dropped these (lists, no anchor): one job per attacker instead.
      const uuids = (Array.isArray(payload.attacker_uuids) ? payload.attacker_uuids : []).map(uuidLike).filter((u): u is string => u !== undefined);
      const ips = (Array.isArray(payload.attacker_ips) ? payload.attacker_ips : []).map(text).filter((u): u is string => u !== undefined);
      const base = sourceIdOf(payload, envelope, ['id']);
      const credential = {
        ...payload,
        credential_hash: text(payload.credential_hash) ?? text(payload.secret_sha256) ?? text(payload.id),
        reuse_count: payload.reuse_count ?? payload.target_count,
      };
      const anchors: Anchor[] = uuids.length > 0 ? uuids.map((attackerUuid) => ({ attackerUuid })) : ips.map((attackerIp) => ({ attackerIp }));
      if (anchors.length === 0) return { malformed: 'credential.reuse.detected without attacker_uuids or attacker_ips' };
      return { jobs: anchors.map((a) => job('credential', `${base}:${a.attackerUuid ?? a.attackerIp ?? ''}`, credential, a, null, null)) };
    }
    case EVENTS.emailReceived: {
      const anchor = anchorOf(payload);
      if (!hasAnchor(anchor)) return { malformed: 'email.received without attacker_uuid or attacker_ip' };
      return { jobs: [job('email', sourceIdOf(payload, envelope, ['stored_as', 'body_sha256']), payload, anchor, null, payload.decky)] };
    }
    case EVENTS.canaryPlaced:
    case EVENTS.canaryTriggered:
    case EVENTS.canaryRevoked: {
      const anchor = anchorOf(payload, ['src_ip', 'attacker_ip', 'source_ip']);
      if (!hasAnchor(anchor)) return { jobs: [] };
      return { jobs: [job('canary_fingerprint', sourceIdOf(payload, envelope, ['trigger_id']), payload, anchor, null, payload.decky_name)] };
    }
    case undefined:
      return { malformed: `${topic.slice(0, 256)} is not in the event catalogue` };
    default:
      return { jobs: [] };
  }
}
