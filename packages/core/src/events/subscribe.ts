// Validating subscriptions: each payload is checked against its catalogue schema at the
// subscriber edge. One that does not fit is counted (per bus client; heartbeats report it), logged
// (1st and every Nth), never handed to the handler and never fatal.
import type { Bus, SubscribeOptions, Subscription } from '../bus.js';
import type { Envelope } from '../envelope.js';
import { InvalidSubjectError } from '../errors.js';
import { everyNth, type Logger } from '../logger.js';
import { assertPattern } from '../subjects.js';
import { eventForSubject } from './catalogue.js';
import type { AnyEventSpec, AnySchema, FieldOf, PayloadOf } from './event-spec.js';

/** An event whose payload passed its catalogue schema (unknown keys dropped unless the schema keeps them). */
export type EventOf<P> = Omit<Envelope, 'payload'> & { readonly payload: P };

/** A handler of validated events. */
export type EventHandlerOf<P> = (event: EventOf<P>) => void | Promise<void>;

/** Options of a validating subscription: the bus's own, plus where drops are reported. */
export interface EventSubscribeOptions extends SubscribeOptions {
  /** Where malformed payloads are logged (1st and every 100th) unless `onMalformed` takes over. */
  readonly log: Logger;
  /**
   * A narrower pattern inside the family's (one worker's control subject, say).
   * @default the entry's pattern
   * @throws InvalidSubjectError when it is not inside the family's pattern
   */
  readonly pattern?: string;
  /** Replaces the default warning; the drop is counted either way. `reason` names the bad field. */
  readonly onMalformed?: (event: Envelope, reason: string) => void;
}

/** What a subscription to several families does with the events of one. */
export interface EventRoute {
  readonly spec: AnyEventSpec;
  readonly handler: EventHandlerOf<unknown>;
}

/** Payload fields a consumer selected, or the whole payload when it selected none. */
export type Selected<P, K> = [K] extends [never] ? P : Pick<P, K & keyof P>;

/** Drop counts per bus client name, then per catalogue template. */
const malformedByClient = new Map<string, Record<string, number>>();

/** Label of events whose subject has no catalogue entry at all. */
export const UNKNOWN_SUBJECT = '(not in the catalogue)';

function countMalformed(client: string, template: string): void {
  let counts = malformedByClient.get(client);
  if (!counts) {
    counts = {};
    malformedByClient.set(client, counts);
  }
  counts[template] = (counts[template] ?? 0) + 1;
}

/**
 * Malformed payloads dropped so far by the validating subscriptions of bus client `client` (a
 * worker's handle is named after the worker), per catalogue template; `undefined` when none.
 */
export function malformedEventCounts(client: string): Readonly<Record<string, number>> | undefined {
  const counts = malformedByClient.get(client);
  return counts ? { ...counts } : undefined;
}

/** The first issue of a failed parse, naming the field: `attacker_ip: expected string`. */
function describeIssues(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid payload';
  const path = issue.path.map(String).join('.');
  return `${path === '' ? 'payload' : path}: ${issue.message}`;
}

/** True when every subject matching `inner` also matches `outer`. */
function isPatternWithin(inner: string, outer: string): boolean {
  const a = inner.split('.');
  const b = outer.split('.');
  for (let i = 0; i < b.length; i++) {
    const token = b[i];
    const candidate = a[i];
    if (token === '>') return candidate !== undefined;
    if (candidate === undefined || candidate === '>') return false;
    if (token !== '*' && (candidate === '*' || candidate !== token)) return false;
  }
  return a.length === b.length;
}

/** Pairs a catalogue entry with the handler of its events, for {@link subscribeEvents}. */
export function on<S extends AnyEventSpec>(spec: S, handler: EventHandlerOf<PayloadOf<S>>): EventRoute {
  return { spec, handler: handler as EventHandlerOf<unknown> };
}

function subscribeRoutes(
  bus: Bus,
  pattern: string,
  routes: readonly { readonly spec: AnyEventSpec; readonly schema: AnySchema; readonly handler: EventHandlerOf<unknown> }[],
  options: EventSubscribeOptions,
  /** The pattern lies inside the only route's family, so every delivered subject belongs to it. */
  withinFamily: boolean,
): Subscription {
  const { log, onMalformed, ...rest } = options;
  // The bus gets its own options; `pattern` was already resolved by the caller.
  const subscribeOptions: SubscribeOptions & { pattern?: string } = { ...rest };
  delete subscribeOptions.pattern;
  const warn = everyNth(log, 'warn', 'malformed event dropped');
  const drop = (event: Envelope, template: string, version: number | undefined, reason: string): void => {
    countMalformed(bus.clientName, template);
    if (onMalformed) onMalformed(event, reason);
    else warn({ subject: event.topic.slice(0, 256), id: event.id, event: template, version, reason });
  };
  const single = withinFamily ? routes[0] : undefined;
  return bus.subscribe(
    pattern,
    (event) => {
      const route = single ?? routes.find((r) => r.spec.matches(event.topic));
      if (!route) {
        const known = eventForSubject(event.topic);
        return known
          ? drop(event, known.template, known.version, 'not handled by this subscription')
          : drop(event, UNKNOWN_SUBJECT, undefined, `no catalogue entry for ${event.topic.slice(0, 256)}`);
      }
      const parsed = route.schema.safeParse(event.payload);
      if (!parsed.success) return drop(event, route.spec.template, route.spec.version, describeIssues(parsed.error));
      return route.handler({ ...event, payload: parsed.data });
    },
    subscribeOptions,
  );
}

/**
 * Subscribes to one family (or `options.pattern` inside it) and hands the handler only events
 * whose payload fits the catalogue schema. `options.fields` validates (and keeps) only the fields
 * the consumer reads, for hot paths.
 * @throws InvalidSubjectError for a pattern outside the family; whatever `bus.subscribe` throws.
 */
export function subscribeEvent<S extends AnyEventSpec, K extends FieldOf<PayloadOf<S>> = never>(
  bus: Bus,
  spec: S,
  handler: EventHandlerOf<Selected<PayloadOf<S>, K>>,
  options: EventSubscribeOptions & { readonly fields?: readonly K[] },
): Subscription {
  const pattern = options.pattern ?? spec.pattern;
  assertPattern(pattern);
  if (!isPatternWithin(pattern, spec.pattern)) {
    throw new InvalidSubjectError(pattern, `not inside ${spec.template}; subscribe to a pattern of that family`);
  }
  const { fields, ...rest } = options;
  // Built here, on first use, not when core loads.
  const schema: AnySchema = fields ? spec.fieldsSchema(fields) : spec.schema;
  return subscribeRoutes(bus, pattern, [{ spec, schema, handler: handler as EventHandlerOf<unknown> }], rest, true);
}

/**
 * Subscribes to `pattern` and routes each event to the first route whose family its subject
 * belongs to (after validating its payload). A subject of none of the routes' families is dropped
 * as malformed (counted under its family, or {@link UNKNOWN_SUBJECT}). Use it when one
 * subscription spans several families (`fixture.<worker>.>`).
 * @throws InvalidSubjectError for a malformed pattern.
 */
export function subscribeEvents(
  bus: Bus,
  pattern: string,
  routes: readonly EventRoute[],
  options: EventSubscribeOptions,
): Subscription {
  return subscribeRoutes(
    bus,
    pattern,
    routes.map((r) => ({ ...r, schema: r.spec.schema as AnySchema })),
    options,
    false,
  );
}
