// Topic layout: which Kafka topic carries a subject, which topics a pattern must read, and how
// each topic is created. One topic per subject root family; `system` is split by purpose.
import { assertPattern, MAX_MESSAGE_BYTES } from '@decnet/core';

/**
 * Subject roots with a topic of their own (`<prefix>.<root>`), upstream's families. Subjects whose
 * root is not listed travel on `<prefix>.misc`, so a new family works before it gets a topic.
 */
export const SUBJECT_ROOTS = [
  'topology',
  'decky',
  'attacker',
  'identity',
  'campaign',
  'credential',
  'attribution',
  'canary',
  'orchestrator',
  'email',
  'smtp',
  'ttp',
  // Parsed log events from the collector and listener: the ingestion firehose.
  'log',
] as const;

/**
 * `system` is split so heartbeats, control commands and the per-log-line `system.log` firehose
 * never queue behind one another, and so each can have its own retention.
 */
export const SYSTEM_TOPICS = ['health', 'control', 'log', 'other'] as const;

/** Suffix of the topic for subjects whose root has no topic of its own. */
export const MISC_TOPIC = 'misc';

/** Topic-level cap: a maximal 1 MiB envelope plus key, headers and batch framing must fit. */
export const TOPIC_MAX_MESSAGE_BYTES = MAX_MESSAGE_BYTES + 64 * 1024;

/** Heartbeats and control commands are worthless after an hour; keep those topics small. */
const SHORT_RETENTION_MS = 60 * 60 * 1000;
/** `system.log` is one event per decky log line; the database keeps the lines themselves. */
const LOG_RETENTION_MS = 6 * 60 * 60 * 1000;

/** How one topic is created. */
export interface TopicSpec {
  readonly topic: string;
  readonly numPartitions: number;
  readonly configEntries: { name: string; value: string }[];
}

const KNOWN_ROOTS: ReadonlySet<string> = new Set(SUBJECT_ROOTS);

/** The `system` sub-topic that carries a concrete `system.*` subject. */
function systemTopicOf(tokens: readonly string[]): (typeof SYSTEM_TOPICS)[number] {
  if (tokens.length === 3 && tokens[2] === 'health') return 'health';
  if (tokens.length === 3 && tokens[2] === 'control') return 'control';
  if (tokens.length === 2 && tokens[1] === 'log') return 'log';
  return 'other';
}

/** The Kafka topic a concrete subject is published to. */
export function topicForSubject(prefix: string, subject: string): string {
  const tokens = subject.split('.');
  const root = tokens[0] as string;
  if (root === 'system') return `${prefix}.system.${systemTopicOf(tokens)}`;
  return `${prefix}.${KNOWN_ROOTS.has(root) ? root : MISC_TOPIC}`;
}

/** Every topic of the layout, in a stable order. */
export function allTopics(prefix: string): string[] {
  return [
    ...SUBJECT_ROOTS.map((root) => `${prefix}.${root}`),
    ...SYSTEM_TOPICS.map((t) => `${prefix}.system.${t}`),
    `${prefix}.${MISC_TOPIC}`,
  ];
}

/** True when pattern `p` can only match subjects that pattern-shaped space `space` matches. */
function isWithin(p: readonly string[], space: readonly string[]): boolean {
  if (p.length !== space.length) return false;
  return p.every((token, i) => token !== '>' && (space[i] === '*' || space[i] === token));
}

/**
 * The topics a subscription to `pattern` must read: the root's topic, every topic when the
 * pattern starts with a wildcard, and for `system` only the sub-topics the pattern can match.
 * The consumer still filters each message with `matchSubject` on its subject header.
 * @throws InvalidSubjectError for a malformed pattern.
 */
export function topicsForPattern(prefix: string, pattern: string): string[] {
  assertPattern(pattern);
  const tokens = pattern.split('.');
  const root = tokens[0] as string;
  if (root === '*' || root === '>') return allTopics(prefix);
  if (root !== 'system') return [`${prefix}.${KNOWN_ROOTS.has(root) ? root : MISC_TOPIC}`];
  const within = {
    health: isWithin(tokens, ['system', '*', 'health']),
    control: isWithin(tokens, ['system', '*', 'control']),
    log: isWithin(tokens, ['system', 'log']),
  };
  // A pattern confined to one purpose reads only that topic; anything wider reads every topic
  // whose subjects it might match (the filter drops the rest).
  for (const [name, confined] of Object.entries(within)) {
    if (confined) return [`${prefix}.system.${name}`];
  }
  const selected = SYSTEM_TOPICS.filter((name) => {
    if (name === 'other') return true;
    const space = name === 'log' ? ['system', 'log'] : ['system', '*', name];
    return patternsOverlap(tokens, space);
  });
  return selected.map((name) => `${prefix}.system.${name}`);
}

/** True when some concrete subject matches both patterns (`>` only as the last token). */
export function patternsOverlap(a: readonly string[], b: readonly string[]): boolean {
  for (let i = 0; ; i++) {
    const x = a[i];
    const y = b[i];
    if (x === '>') return b.length > i;
    if (y === '>') return a.length > i;
    if (x === undefined || y === undefined) return x === y;
    if (x !== '*' && y !== '*' && x !== y) return false;
  }
}

/** Creation settings for every topic of the layout. */
export function topicSpecs(prefix: string, partitions: number): TopicSpec[] {
  const cap = { name: 'max.message.bytes', value: String(TOPIC_MAX_MESSAGE_BYTES) };
  return allTopics(prefix).map((topic) => {
    if (topic === `${prefix}.system.health` || topic === `${prefix}.system.control`) {
      // Small and broadcast-read by every instance: one partition is cheapest to follow.
      return { topic, numPartitions: 1, configEntries: [cap, { name: 'retention.ms', value: String(SHORT_RETENTION_MS) }] };
    }
    if (topic === `${prefix}.system.log`) {
      return { topic, numPartitions: partitions, configEntries: [cap, { name: 'retention.ms', value: String(LOG_RETENTION_MS) }] };
    }
    return { topic, numPartitions: partitions, configEntries: [cap] };
  });
}

/** Longest consumer group id we produce; Kafka allows more, but ids appear in every log line. */
const MAX_GROUP_ID_LENGTH = 200;

/**
 * A Kafka-safe consumer group id for `<prefix>.<name>`. Characters outside `[A-Za-z0-9.-]` (the
 * `:` of default groups, `*`, `>`, and `_` itself) become `_xx` (hex), so distinct names stay
 * distinct; over-long ids are cut and keep a hash of the whole.
 */
export function groupIdFor(prefix: string, name: string): string {
  const encoded = `${prefix}.${name}`.replace(/[^A-Za-z0-9.-]/g, (ch) => {
    const code = ch.codePointAt(0) as number;
    return code < 0x100 ? `_${code.toString(16).padStart(2, '0')}` : `_u${code.toString(16)}_`;
  });
  if (encoded.length <= MAX_GROUP_ID_LENGTH) return encoded;
  let hash = 0x811c9dc5;
  for (let i = 0; i < encoded.length; i++) hash = Math.imul(hash ^ encoded.charCodeAt(i), 0x01000193) >>> 0;
  return `${encoded.slice(0, MAX_GROUP_ID_LENGTH - 9)}-${hash.toString(16).padStart(8, '0')}`;
}
