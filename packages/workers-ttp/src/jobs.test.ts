// Event → tagging jobs, pure: upstream's topic-to-kind map and source ids, the command fan-out,
// and the deliberate fixes (log events as sources, per-attacker reuse fan-out, ids that cannot
// collide across attackers), plus the options' defaults and validation.
import { EVENTS, createEnvelope } from '@decnet/core';
import { AuthWindow } from '@decnet/ttp-engine';
import { describe, expect, it } from 'vitest';
import { commandSourceId, jobsFromEnvelope, type Derived, type DeriveContext, type Malformed } from './jobs.js';
import { compileTtpOptions, TTP_DEFAULTS } from './options.js';
import { logEvent } from './test-kit.fixture.js';

const context = (): DeriveContext => ({
  authWindow: new AuthWindow({ failThreshold: 5, pwThreshold: 5, windowMs: 300_000 }),
  dedupWindowMs: 300_000,
  logEvents: true,
});
const derive = (topic: string, payload: Record<string, unknown>, ctx = context(), type?: string): Derived => {
  const result = jobsFromEnvelope(createEnvelope(topic, payload, { id: 'env-1', ...(type ? { type } : {}) }), ctx);
  if ('malformed' in result) throw new Error(`unexpectedly malformed: ${result.malformed}`);
  return result;
};
const malformed = (topic: string, payload: Record<string, unknown>): string =>
  (jobsFromEnvelope(createEnvelope(topic, payload, { id: 'env-1' }), context()) as Malformed).malformed;

describe('upstream topics map to source kinds, ids and anchors', () => {
  it('fans a session out into one command source per command, plus the session and the intel catch-up', () => {
    const d = derive(EVENTS.attackerSessionEnded.subject, {
      session_id: 's1',
      attacker_ip: '198.51.100.7',
      decky_id: 'decky-01',
      service: 'ssh',
      commands: [{ id: 's1#0', command_text: 'whoami', ts: '2026-05-02T06:00:10Z', user: 'root' }, { command: 'id' }, 'garbage', { command_text: 3 }],
    });
    expect(d.jobs.map((j) => [j.source.sourceKind, j.source.sourceId])).toEqual([
      ['session', 's1'],
      ['command', commandSourceId('198.51.100.7', 'decky-01', 'ssh', '2026-05-02T06:00:10.000Z', 'whoami')],
      ['command', 's1#cmd1'],
    ]);
    expect(d.jobs[1]?.source.payload).toMatchObject({ command_text: 'whoami', user: 'root' });
    expect(d.jobs.every((j) => j.anchor.attackerIp === '198.51.100.7' && j.sessionId === 's1')).toBe(true);
    expect(d.intelCatchUp).toEqual({ sourceId: 'intel-catchup:s1', anchor: { attackerIp: '198.51.100.7' }, sessionId: 's1' });
  });

  it('takes the fingerprint kind from the envelope type (ipv6_leak reaches its lifter)', () => {
    expect(derive(EVENTS.attackerFingerprinted.subject, { attacker_ip: '1.2.3.4', addr: 'fe80::1' }, context(), 'ipv6_leak').jobs[0]?.source.sourceKind).toBe('ipv6_leak');
    expect(derive(EVENTS.attackerFingerprinted.subject, { attacker_ip: '1.2.3.4', type: 'ipv6_link_local_leak' }).jobs[0]?.source.sourceKind).toBe('ipv6_leak');
    expect(derive(EVENTS.attackerFingerprinted.subject, { attacker_ip: '1.2.3.4' }, context(), 'mystery').jobs).toEqual([]);
  });

  it('anchors identity events on the identity (merged: the winner)', () => {
    const w = '33333333-3333-4333-8333-333333333333';
    expect(derive(EVENTS.identityMerged.subject, { winner_uuid: w, loser_uuid: '44444444-4444-4444-8444-444444444444' }).jobs[0]).toMatchObject({
      source: { sourceKind: 'identity', sourceId: w },
      anchor: { identityUuid: w },
    });
  });

  it('fans credential reuse out per attacker, with distinct source ids (upstream dropped these)', () => {
    const d = derive(EVENTS.credentialReuseDetected.subject, { id: 'r1', secret_sha256: 'ab', target_count: 3, attacker_uuids: ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'] });
    expect(d.jobs.map((j) => j.source.sourceId)).toEqual(['r1:11111111-1111-4111-8111-111111111111', 'r1:22222222-2222-4222-8222-222222222222']);
    expect(d.jobs[0]?.source.payload).toMatchObject({ credential_hash: 'ab', reuse_count: 3 });
  });

  it('keys canary sources by trigger and anchors them on src_ip; e-mail by stored file', () => {
    expect(derive(EVENTS.canaryTriggered.subject('tok'), { token_id: 'tok', trigger_id: 'trg', src_ip: '1.2.3.4' }).jobs[0]).toMatchObject({
      source: { sourceKind: 'canary_fingerprint', sourceId: 'trg' },
      anchor: { attackerIp: '1.2.3.4' },
    });
    expect(derive(EVENTS.canaryPlaced.subject('tok'), { token_id: 'tok', decky_name: 'd' }).jobs).toEqual([]);
    expect(derive(EVENTS.emailReceived.subject, { attacker_uuid: '11111111-1111-4111-8111-111111111111', stored_as: 'm.eml' }).jobs[0]?.source.sourceId).toBe('m.eml');
  });

  it('falls back to the envelope id, never the topic, so different attackers cannot share a tag id', () => {
    expect(derive(EVENTS.attackerObserved.subject, { attacker_ip: '1.2.3.4' }).jobs[0]?.source.sourceId).toBe('env-1');
  });

  it('reports what makes an event unusable', () => {
    expect(malformed(EVENTS.attackerSessionEnded.subject, { session_id: 's' })).toContain('attacker_ip');
    expect(malformed(EVENTS.identityFormed.subject, { identity_uuid: 'nope' })).toContain('identity_uuid');
    expect(malformed(EVENTS.credentialReuseDetected.subject, { id: 'r' })).toContain('attacker_uuids');
    expect(malformed(EVENTS.logEvent.subject('ssh'), { decky: 'd' })).toMatch(/log event without/);
  });
});

describe('log events become the sources upstream never produced', () => {
  const fromLog = (payload: Record<string, unknown>, ctx = context()) => derive(EVENTS.logEvent.subject(String(payload.service)), payload, ctx);

  it('turns a shell command into a command source keyed like the session fan-out', () => {
    const d = fromLog(logEvent({ event_type: 'command', time: '2026-05-02T06:00:10.000Z', fields: { cmd: 'whoami', cwd: '/root', user: 'root', sid: 's1' } }));
    expect(d.jobs).toEqual([
      {
        source: { sourceKind: 'command', sourceId: commandSourceId('198.51.100.7', 'decky-01', 'ssh', '2026-05-02T06:00:10.000Z', 'whoami'), payload: expect.objectContaining({ command_text: 'whoami', user: 'root', pwd: '/root' }) },
        anchor: { attackerIp: '198.51.100.7' },
        sessionId: 's1',
        deckyId: 'decky-01',
      },
    ]);
  });

  it('turns database commands into session operations (data destruction)', () => {
    const d = fromLog(logEvent({ service: 'redis', event_type: 'command', fields: { cmd: 'FLUSHALL', args: '' } }));
    expect(d.jobs[0]?.source).toMatchObject({ sourceKind: 'session', sourceId: 'op:env-1', payload: { op_text: 'FLUSHALL' } });
  });

  it('folds an attacker\'s HTTP requests into one source per window', () => {
    const ctx = context();
    const a = fromLog(logEvent({ service: 'http', event_type: 'request', time: '2026-05-02T06:00:10.000Z', fields: { path: '/a?x=1', user_agent: 'curl/8' } }), ctx);
    const b = fromLog(logEvent({ service: 'http', event_type: 'request', time: '2026-05-02T06:04:00.000Z', fields: { path: '/b' } }), ctx);
    expect(a.jobs[0]?.source).toMatchObject({ sourceKind: 'http_request', payload: { raw_url: '/a?x=1', request_path: '/a', user_agent: 'curl/8' } });
    expect(a.jobs[0]?.source.sourceId).toBe(b.jobs[0]?.source.sourceId);
  });

  it('counts auth attempts per attacker and never puts the secret in the source id', () => {
    const ctx = context();
    let last: Derived | undefined;
    for (let i = 0; i < 5; i++) last = fromLog(logEvent({ event_type: 'auth_attempt', fields: { username: 'root', secret_printable: `pw${i}`, secret_b64: 'eA==', outcome: 'failure' } }), ctx);
    expect(last?.jobs[0]?.source.payload).toMatchObject({ fail_count: 5, password_count: 5, username: 'root', outcome: 'failure' });
    expect(last?.jobs[0]?.source.sourceId).not.toContain('pw');
  });

  it('ignores unattributed lines and can be switched off', () => {
    expect(fromLog(logEvent({ event_type: 'command', attacker_ip: 'Unknown', fields: { cmd: 'id' } })).jobs).toEqual([]);
    expect(fromLog(logEvent({ event_type: 'command', fields: { cmd: 'id' } }), { ...context(), logEvents: false }).jobs).toEqual([]);
  });
});

describe('options: DECNET_TTP_* with defaults written once', () => {
  it('applies the documented defaults, with the ack mode following the bus', () => {
    expect(compileTtpOptions({}, 'memory')).toEqual({ ...TTP_DEFAULTS, ack: 'receive' });
    expect(compileTtpOptions({}, 'kafka').ack).toBe('commit');
  });

  it('reads every key and reports every invalid one at once', () => {
    expect(compileTtpOptions({ DECNET_TTP_RULES_DIR: '/etc/decnet/ttp', DECNET_TTP_LOG_EVENTS: 'off', DECNET_TTP_ACK: 'receive' }, 'kafka')).toMatchObject({
      rulesDir: '/etc/decnet/ttp',
      logEvents: false,
      ack: 'receive',
    });
    expect(() => compileTtpOptions({ DECNET_TTP_PENDING_MAX: '-1', DECNET_TTP_ACK: 'later', DECNET_TTP_DEDUP_WINDOW_S: '0' }, 'kafka')).toThrow(
      /DECNET_TTP_ACK[\s\S]*DECNET_TTP_DEDUP_WINDOW_S[\s\S]*DECNET_TTP_PENDING_MAX/,
    );
  });
});
