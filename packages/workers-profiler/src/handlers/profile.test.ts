// Profiles merge batch by batch into exactly what one pass over the whole history gives:
// counts, first-contact decky order and traversal path, services, commands, phase sequence and
// tool guesses; and the stored form reads back (or is refused for a rebuild).
import { describe, expect, it } from 'vitest';
import type { ProfileEvent } from './event-kinds.js';
import {
  MAX_COMMANDS,
  applyEvents,
  attackerRecord,
  behaviorRecord,
  emptyProfile,
  profileFromEvents,
  profileFromStored,
  scoreChanged,
  scoreOf,
  type AttackerProfile,
} from './profile.js';
import { timingStats } from './timing.js';

const IP = '203.0.113.9';
const noCounts = { bountyCount: 0, credentialCount: 0, fingerprints: [] };

let nextId = 1;
const ev = (ms: number, over: Partial<ProfileEvent> = {}): ProfileEvent => ({
  id: nextId++,
  ms,
  ip: IP,
  decky: 'decky-01',
  service: 'ssh',
  eventType: 'login',
  command: null,
  recon: false,
  exfil: false,
  largePayload: false,
  headerTools: [],
  smtpDomains: [],
  ...over,
});

function inBatches(events: ProfileEvent[], size: number): AttackerProfile {
  let p = emptyProfile(IP);
  for (let i = 0; i < events.length; i += size) p = applyEvents(p, events.slice(i, i + size)).profile;
  return p;
}

describe('a profile folded batch by batch equals the profile of the whole history', () => {
  it('gives the same record and behaviour for any batch split and arrival order', () => {
    const events = [
      ev(5_000, { decky: 'decky-03', service: 'http', eventType: 'request', headerTools: ['curl'] }),
      ev(1_000, { decky: 'decky-02', eventType: 'auth_failure', recon: true }),
      ev(9_000, { decky: 'decky-01', eventType: 'command', command: 'uname -a', exfil: true }),
      ev(2_000, { decky: 'decky-02', eventType: 'command', command: 'id', exfil: true }),
      ev(3_000, { decky: 'decky-03', eventType: 'auth_failure', recon: true }),
      ev(20_000, { decky: 'decky-01', eventType: 'download', exfil: true, largePayload: true }),
    ];
    const whole = profileFromEvents(IP, events);
    for (const size of [1, 2, 4]) {
      const split = inBatches(events, size);
      expect(attackerRecord(split, noCounts)).toEqual(attackerRecord(whole, noCounts));
      expect(behaviorRecord(split)).toEqual(behaviorRecord(whole));
    }
    const record = attackerRecord(whole, noCounts);
    expect(record).toMatchObject({
      eventCount: 6,
      deckies: ['decky-02', 'decky-03', 'decky-01'],
      deckyCount: 3,
      traversalPath: 'decky-02 → decky-03 → decky-01',
      isTraversal: true,
      services: ['http', 'ssh'],
      serviceCount: 2,
    });
    expect(record.firstSeen.getTime()).toBe(1_000);
    expect(record.lastSeen.getTime()).toBe(20_000);
    expect(record.commands.map((c) => c.command)).toEqual(['id', 'uname -a']);
    const behavior = behaviorRecord(whole);
    expect(behavior.phaseSequence).toEqual({
      recon_end_ts: new Date(3_000).toISOString(),
      exfil_start_ts: new Date(2_000).toISOString(),
      exfil_latency_s: null,
      large_payload_count: 1,
    });
    expect(behavior.toolGuesses).toEqual(['curl']);
  });

  it('has no traversal for one decky and sets latency when action follows recon', () => {
    const p = profileFromEvents(IP, [ev(0, { recon: true }), ev(4_500, { exfil: true })]);
    expect(attackerRecord(p, noCounts)).toMatchObject({ deckies: ['decky-01'], traversalPath: null, isTraversal: false });
    expect(behaviorRecord(p).phaseSequence.exfil_latency_s).toBe(4.5);
  });

  it('keeps the most recent commands only', () => {
    const events = Array.from({ length: MAX_COMMANDS + 10 }, (_, i) => ev(i * 10, { eventType: 'command', command: `c${i}` }));
    const p = inBatches(events, 100);
    expect(p.commands).toHaveLength(MAX_COMMANDS);
    expect(p.commands[0]?.command).toBe('c10');
    expect(p.commands.at(-1)?.command).toBe(`c${MAX_COMMANDS + 9}`);
  });

  it('classifies a regular 60 s cadence as beaconing and guesses Cobalt Strike', () => {
    let t = 0;
    const jitter = [0.7, 1.3, 1, 1.25, 0.75, 1, 0.8, 1.2, 1, 1];
    const times = [0, ...jitter.map((j) => (t += 60_000 * j))];
    const p = profileFromEvents(IP, times.map((ms) => ev(ms, { service: 'http' })));
    const b = behaviorRecord(p);
    expect(b.behaviorClass).toBe('beaconing');
    expect(b.beaconIntervalS).toBeCloseTo(60, 0);
    expect(b.toolGuesses).toContain('cobalt_strike');
  });
});

describe('the stored profile reads back, or is refused so it can be rebuilt', () => {
  const p = profileFromEvents(IP, [ev(0, { eventType: 'command', command: 'ls' }), ev(1_000), ev(3_000)]);
  const record = attackerRecord(p, noCounts);
  const stored = JSON.parse(JSON.stringify(behaviorRecord(p).profileState));
  const row = {
    ip: IP,
    firstSeen: record.firstSeen,
    lastSeen: record.lastSeen,
    eventCount: record.eventCount,
    services: JSON.parse(JSON.stringify(record.services)),
    commands: JSON.parse(JSON.stringify(record.commands)),
    profileState: stored,
  };

  it('round-trips through JSON', () => {
    expect(profileFromStored(row)).toEqual(p);
  });

  it('keeps the accumulator out of the shown timing_stats', () => {
    expect(behaviorRecord(p).timingStats).not.toHaveProperty('_state');
    expect(Object.keys(behaviorRecord(p).timingStats).sort()).toEqual(Object.keys(timingStats(p.state.timing)).sort());
  });

  it('refuses a missing, malformed or inconsistent accumulator', () => {
    expect(profileFromStored({ ...row, profileState: {} })).toBeUndefined();
    expect(profileFromStored({ ...row, profileState: null })).toBeUndefined();
    expect(profileFromStored({ ...row, profileState: { ...stored, v: 99 } })).toBeUndefined();
    // The pre-0002 place (timing_stats._state) is not read: the migration moved it.
    expect(profileFromStored({ ...row, profileState: { _state: stored } })).toBeUndefined();
    expect(profileFromStored({ ...row, eventCount: 4 })).toBeUndefined();
    expect(profileFromStored({ ...row, commands: 'nope' })).toBeUndefined();
  });

  it('reports a score change only when a scored field changed', () => {
    const score = scoreOf(record, behaviorRecord(p));
    expect(scoreChanged(undefined, score)).toBe(true);
    expect(scoreChanged({ ...score }, score)).toBe(false);
    expect(scoreChanged({ ...score, bounty_count: 1 }, score)).toBe(true);
  });
});
