// Renders docs/events.md from the event catalogue: one table per subject root with each entry's
// subject, version, payload fields (from the schema, through zod's JSON Schema export), parties
// and description. Deterministic, so a test can tell when the committed file is stale.
import { EVENT_LIST, type AnyEventSpec } from '@decnet/core';
import * as z from 'zod/mini';

/** The command that rewrites docs/events.md. */
export const REGENERATE_COMMAND = 'npm run docs:events';

/** Where the rendered file lives, from the repository root. */
export const EVENTS_DOC_PATH = 'docs/events.md';

/** What each root family is about (documentation only). */
const ROOT_NOTES: Readonly<Record<string, string>> = {
  system: 'Heartbeats, control commands and pipeline notices. Every hosted worker beats and listens for control.',
  log: 'The ingestion firehose: one event per parsed decky log line.',
  attacker: 'What decnet learns about one attacker address.',
  credential: 'Secrets presented to deckies.',
  email: 'Mail relayed through a decky, as a privacy-safe projection.',
  smtp: 'Work items of the SMTP relay honeypot.',
  ttp: 'MITRE ATT&CK tags and the rule store.',
  identity: 'Observations clustered into identities.',
  campaign: 'Identities clustered into campaigns.',
  attribution: 'Per-identity attribution profiles.',
  decky: 'One decoy host: fleet state, traffic, mutations, lifecycle, live service changes.',
  topology: 'Topology mutations from enqueued to applied.',
  canary: 'Canary tokens planted, tripped and revoked.',
  orchestrator: 'Synthetic activity played between deckies.',
  fixture: 'Test protocol of the two fixture workers (not product events).',
};

type JsonSchema = {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
};

/** A JSON Schema node as a TypeScript-like type. */
function typeOf(node: JsonSchema): string {
  if (node.anyOf) return node.anyOf.map(typeOf).join(' | ');
  if (node.const !== undefined) return JSON.stringify(node.const);
  if (node.enum) return node.enum.map((v) => JSON.stringify(v)).join(' | ');
  const types = node.type === undefined ? [] : Array.isArray(node.type) ? node.type : [node.type];
  if (types.length === 0) return 'unknown';
  return types
    .map((t) => {
      if (t === 'array') {
        const item = typeOf(node.items ?? {});
        return item.includes(' ') ? `(${item})[]` : `${item}[]`;
      }
      if (t === 'object') return objectType(node);
      return t;
    })
    .join(' | ');
}

function objectType(node: JsonSchema): string {
  const fields = fieldsOf(node);
  const rest = node.additionalProperties;
  if (fields.length === 0) {
    if (rest === false) return '{}';
    return `Record<string, ${typeof rest === 'object' ? typeOf(rest) : 'unknown'}>`;
  }
  return `{ ${[...fields, ...(rest ? ['…'] : [])].join(', ')} }`;
}

function fieldsOf(node: JsonSchema): string[] {
  const required = new Set(node.required ?? []);
  return Object.entries(node.properties ?? {}).map(([name, field]) => `${name}${required.has(name) ? '' : '?'}: ${typeOf(field)}`);
}

/** The payload cell: one field per line, `?` marking optional ones; variants of a union listed apart. */
export function payloadLines(spec: AnyEventSpec): string[] {
  const schema = z.toJSONSchema(spec.schema as z.ZodMiniType, { unrepresentable: 'any' }) as JsonSchema;
  const render = (node: JsonSchema): string[] => {
    const lines = fieldsOf(node);
    if (node.additionalProperties && typeof node.additionalProperties === 'object') lines.push('… other fields kept');
    if (lines.length === 0) return [node.additionalProperties === false ? '(empty)' : '(any fields)'];
    return lines;
  };
  if (schema.anyOf) return schema.anyOf.flatMap((variant, i) => [`one of (${i + 1}):`, ...render(variant)]);
  return render(schema);
}

function parties(today: readonly string[], planned: readonly string[] | undefined): string {
  const names = today.map((n) => (n === '*' ? 'every worker' : n));
  const later = planned && planned.length > 0 ? `planned: ${planned.join(', ')}` : '';
  if (names.length === 0) return later ? `*none yet* (${later})` : '—';
  return later ? `${names.join(', ')} (${later})` : names.join(', ');
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** docs/events.md as it should be now. */
export function renderEventsDoc(): string {
  const roots = [...new Set(EVENT_LIST.map((e) => e.root as string))];
  const out: string[] = [
    '# Bus events',
    '',
    `<!-- Generated from the event catalogue (packages/core/src/events). Do not edit: run \`${REGENERATE_COMMAND}\`. -->`,
    '',
    'Every subject decnet publishes or consumes, and the rest of upstream\'s inventory for the workers',
    'still to come, rendered from the catalogue in `@decnet/core` (`EVENTS`). Code names subjects only',
    'through it (`EVENTS.attackerObserved.subject`, `EVENTS.health.subject(worker)`, `EVENTS.logEvent.pattern`);',
    'a lint rule refuses subject literals elsewhere.',
    '',
    '- Each event travels in the v1 envelope `{ v, id, topic, type, ts, payload }`; the tables describe `payload`.',
    '- `<name>` stands for one token, `<name...>` for one or more; subscribers use the pattern with `*` / `>`.',
    '- Consumers validate payloads at their edge (`subscribeEvent`): a payload that does not fit is counted',
    '  (`malformedEvents` in the worker\'s heartbeat detail), logged and dropped, never fatal.',
    '- A field without `?` is one every consumer may rely on. Optional fields are typed and, for events with a',
    '  producer today, sent by it; a conformance test checks that producers send only declared fields.',
    '- `version` changes when a field is removed or changes meaning.',
    '- The webhook worker relays any subject a subscription names; it is not listed per subject.',
    '',
    `${EVENT_LIST.length} subjects under ${roots.length} roots: ${roots.map((r) => `[\`${r}\`](#${r})`).join(', ')}.`,
  ];
  for (const root of roots) {
    out.push('', `## ${root}`, '');
    const note = ROOT_NOTES[root];
    if (note) out.push(note, '');
    out.push('| Subject | v | Payload | Producers | Consumers | Description |', '|---|---|---|---|---|---|');
    for (const spec of EVENT_LIST.filter((e) => e.root === root)) {
      const subject = spec.pattern === spec.template ? `\`${spec.template}\`` : `\`${spec.template}\`<br>(\`${spec.pattern}\`)`;
      out.push(
        `| ${[
          subject,
          String(spec.version),
          payloadLines(spec).map((l) => (l.endsWith(':') ? l : `\`${l}\``)).join('<br>'),
          parties(spec.producers, spec.planned.producers),
          parties(spec.consumers, spec.planned.consumers),
          spec.description,
        ]
          .map(cell)
          .join(' | ')} |`,
      );
    }
  }
  return `${out.join('\n')}\n`;
}
