// The catalogue: upstream's exact subject strings, builders that refuse malformed segments, one
// family per subject (no two patterns overlap), and schemas that are built only when used.
import { describe, expect, expectTypeOf, it, vi } from 'vitest';
import { InvalidSubjectError } from '../errors.js';
import { EVENTS, EVENT_LIST, EVENT_ROOTS, eventForSubject, patternsOverlap as overlaps, rootPattern, subjectPattern } from './catalogue.js';
import type * as ZodMini from 'zod/mini';
import type { LogEventPayload } from './log-events.js';

describe('subjects are spelled as upstream spells them', () => {
  it('builds the exact upstream strings', () => {
    expect(EVENTS.health.subject('webhook')).toBe('system.webhook.health');
    expect(EVENTS.control.subject('campaign-clusterer')).toBe('system.campaign-clusterer.control');
    expect(EVENTS.deckyState.subject('web01')).toBe('decky.web01.state');
    expect(EVENTS.deckyState.subject('host-1:web01')).toBe('decky.host-1:web01.state');
    expect(EVENTS.topologyMutationApplied.subject('t1')).toBe('topology.t1.mutation.applied');
    expect(EVENTS.attackerSessionEnded.subject).toBe('attacker.session.ended');
    expect(EVENTS.ttpRuleFired.subject('T1110')).toBe('ttp.rule.fired.T1110');
    expect(EVENTS.canaryTriggered.subject('tok1')).toBe('canary.tok1.triggered');
    expect(EVENTS.orchestratorEmail.subject('mail01')).toBe('orchestrator.email.mail01');
    expect(EVENTS.systemLog.subject).toBe('system.log');
    expect(EVENTS.webhookSubscriptionsChanged.subject).toBe('system.webhook.subscriptions_changed');
    expect(EVENTS.emailReceived.subject).toBe('email.received');
  });

  it('derives one pattern per family', () => {
    expect(EVENTS.health.pattern).toBe('system.*.health');
    expect(EVENTS.logEvent.pattern).toBe('log.event.>');
    expect(EVENTS.ttpRuleFired.pattern).toBe('ttp.rule.fired.*');
    expect(EVENTS.attackerObservation.pattern).toBe('attacker.observation.>');
    expect(EVENTS.attackerObserved.pattern).toBe('attacker.observed');
    expect(rootPattern('canary')).toBe('canary.>');
    expect(subjectPattern('fixture', 'fixture-db', '>')).toBe('fixture.fixture-db.>');
    expect(() => subjectPattern('fixture', 'x', 'nothing')).toThrow(InvalidSubjectError);
    expect(() => subjectPattern('fixture', '>', 'x')).toThrow(InvalidSubjectError);
  });

  it.each(['', 'a.b', 'a*', 'a>', 'a b', 'a\tb'])('rejects the token %j', (bad) => {
    expect(() => EVENTS.health.subject(bad)).toThrow(InvalidSubjectError);
  });

  it('rejects a sub-technique in ttp.rule.fired as upstream does', () => {
    expect(() => EVENTS.ttpRuleFired.subject('T1110.001')).toThrow(InvalidSubjectError);
  });

  it('allows dotted leaves where documented but no empty leaf', () => {
    expect(EVENTS.attackerObservation.subject('motor.shell_mastery.tab_completion')).toBe(
      'attacker.observation.motor.shell_mastery.tab_completion',
    );
    expect(() => EVENTS.attackerObservation.subject('')).toThrow(InvalidSubjectError);
    expect(() => EVENTS.attackerObservation.subject('a..b')).toThrow(InvalidSubjectError);
  });
});

describe('log.event subjects are one valid token per service, matched by the pattern', () => {
  it('makes a subject token out of any APP-NAME', () => {
    expect(EVENTS.logEvent.subject('smtp_relay')).toBe('log.event.smtp_relay');
    expect(EVENTS.logEvent.subject('a.b*c>d e')).toBe('log.event.a_b_c_d_e');
    expect(EVENTS.logEvent.subject('')).toBe('log.event._');
  });
  it('bounds the token at 48 characters and stays under the pattern', () => {
    expect(EVENTS.logEvent.subject('x'.repeat(100))).toBe(`log.event.${'x'.repeat(48)}`);
    expect(EVENTS.logEvent.matches(EVENTS.logEvent.subject('x'.repeat(100)))).toBe(true);
    expect(rootPattern('log')).toBe('log.>');
  });
});

describe('one entry per subject', () => {
  it('has no two families whose patterns could match one subject', () => {
    const clashes: string[] = [];
    EVENT_LIST.forEach((a, i) =>
      EVENT_LIST.slice(i + 1).forEach((b) => {
        if (overlaps(a.pattern, b.pattern)) clashes.push(`${a.template} / ${b.template}`);
      }),
    );
    expect(clashes).toEqual([]);
  });

  it('finds the entry of a concrete subject, and none for a subject outside the catalogue', () => {
    expect(eventForSubject('system.ttp.health')).toBe(EVENTS.health);
    expect(eventForSubject('attacker.session.ended')).toBe(EVENTS.attackerSessionEnded);
    expect(eventForSubject('attacker.observation.motor.x')).toBe(EVENTS.attackerObservation);
    expect(eventForSubject('canary.tok.placed')).toBe(EVENTS.canaryPlaced);
    expect(eventForSubject('attacker.pwned')).toBeUndefined();
    expect(eventForSubject('nothing')).toBeUndefined();
  });

  it('builds subjects that match their own family and no other', () => {
    for (const spec of EVENT_LIST) {
      const params = spec.template.match(/<[^>]+>/g)?.length ?? 0;
      const subject =
        typeof spec.subject === 'string'
          ? spec.subject
          : (spec.subject as (...p: string[]) => string)(...Array<string>(params).fill('sample'));
      expect(subject, spec.template).toBe(spec.template.replace(/<[^>]+>/g, 'sample'));
      expect(spec.matches(subject), spec.template).toBe(true);
      expect(eventForSubject(subject), spec.template).toBe(spec);
    }
  });

  it('documents every entry: version, one-line description, parties', () => {
    for (const spec of EVENT_LIST) {
      expect(spec.version, spec.template).toBeGreaterThanOrEqual(1);
      expect(spec.description.length, spec.template).toBeGreaterThan(10);
      expect(spec.description.includes('\n'), spec.template).toBe(false);
      expect(Array.isArray(spec.producers) && Array.isArray(spec.consumers)).toBe(true);
    }
    expect(EVENT_LIST.length).toBe(Object.keys(EVENTS).length);
    expect(EVENT_ROOTS).toContain('fixture');
  });

  it('describes the whole upstream inventory', () => {
    const templates = EVENT_LIST.map((e) => e.template);
    for (const upstream of [
      'topology.<topology>.mutation.enqueued',
      'decky.<decky>.mutate_request',
      'orchestrator.email.<decky>',
      'attacker.intel.enriched',
      'identity.campaign.assigned',
      'campaign.identity.assigned',
      'attribution.profile.multi_actor_suspected',
      'canary.<token>.revoked',
      'smtp.probe.pending',
      'ttp.rule.state.<rule>',
      'system.webhook.subscriptions_changed',
    ]) {
      expect(templates).toContain(upstream);
    }
  });
});

describe('payload schemas', () => {
  it('accepts what the collector publishes on log.event and refuses what the ingester cannot store', () => {
    const payload: LogEventPayload = {
      timestamp: '2026-05-02 06:00:25',
      time: '2026-05-02T06:00:25.000Z',
      decky: 'decky-01',
      service: 'ssh',
      event_type: 'login',
      attacker_ip: '198.51.100.7',
      fields: { username: 'root' },
      msg: '',
      raw_line: '<134>1 ...',
      severity: 6,
      kind: 'attacker',
      command: null,
      source: 'tcp',
      source_worker: null,
      received_at: '2026-05-02T06:00:26.000Z',
      invalid_utf8: false,
    };
    expect(EVENTS.logEvent.schema.safeParse(payload).success).toBe(true);
    expect(EVENTS.logEvent.schema.safeParse({ ...payload, raw_line: undefined }).success).toBe(false);
    expect(EVENTS.logEvent.schema.safeParse({ ...payload, fields: 'x' }).success).toBe(false);
    expect(EVENTS.logEvent.schema.safeParse({ ...payload, raw_line: 'x'.repeat(1024 * 1024 + 1) }).success).toBe(false);
  });

  it('validates only the selected fields of a view, and builds each view once', () => {
    const view = EVENTS.logEvent.fieldsSchema(['attacker_ip', 'service']);
    expect(view.safeParse({ attacker_ip: '1.2.3.4', service: 'ssh', raw_line: 5 })).toEqual({
      success: true,
      data: { attacker_ip: '1.2.3.4', service: 'ssh' },
    });
    expect(view.safeParse({ attacker_ip: 1, service: 'ssh' }).success).toBe(false);
    expect(EVENTS.logEvent.fieldsSchema(['attacker_ip', 'service'])).toBe(view);
    expectTypeOf<ReturnType<typeof view.parse>>().toEqualTypeOf<Pick<LogEventPayload, 'attacker_ip' | 'service'>>();
  });

  it('holds sessions to typed commands; a tolerant consumer reads the rest through a view', () => {
    const session = { session_id: 's', attacker_ip: '1.2.3.4', decky_id: 'd', service: 'ssh', commands: ['garbage', { command_text: 3 }] };
    expect(EVENTS.attackerSessionEnded.schema.safeParse(session).success).toBe(false);
    const withoutCommands = EVENTS.attackerSessionEnded.fieldsSchema(['session_id', 'attacker_ip', 'decky_id', 'service']);
    expect(withoutCommands.safeParse(session).success).toBe(true);
    expect(EVENTS.attackerSessionEnded.schema.safeParse({ session_id: 's' }).success).toBe(false);
  });

  it('tells the two system.log notices apart and refuses a third shape', () => {
    expect(EVENTS.systemLog.schema.safeParse({ component: 'ingester', flushed: 3, position: 12 }).success).toBe(true);
    expect(
      EVENTS.systemLog.schema.safeParse({ decky: 'd', service: 's', event_type: 'e', attacker_ip: 'a', timestamp: 't' }).success,
    ).toBe(true);
    expect(EVENTS.systemLog.schema.safeParse({ flushed: 'many' }).success).toBe(false);
  });
});

describe('schemas are built on first use, not when core loads', () => {
  it('builds none of the catalogue when @decnet/core is imported', async () => {
    vi.resetModules();
    const built: string[] = [];
    vi.doMock('zod/mini', async (importOriginal) => {
      const z = await importOriginal<typeof ZodMini>();
      const counted =
        <F extends (...args: never[]) => unknown>(name: string, fn: F) =>
        (...args: Parameters<F>) => {
          built.push(name);
          return fn(...args);
        };
      return {
        ...z,
        object: counted('object', z.object),
        looseObject: counted('looseObject', z.looseObject),
        strictObject: counted('strictObject', z.strictObject),
        union: counted('union', z.union),
      };
    });
    const core = await import('../index.js');
    // The envelope's own schema and the heartbeat's (both built with core, as before the catalogue).
    expect(built.length).toBeLessThanOrEqual(2);
    const before = built.length;
    expect(core.EVENTS.logEvent.schema.safeParse({}).success).toBe(false);
    expect(built.length).toBeGreaterThan(before);
    vi.doUnmock('zod/mini');
  });
});
