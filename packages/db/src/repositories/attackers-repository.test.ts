// The attackers repository against real Postgres: profile writes that update known rows and
// insert new ones (saying which), behaviour and mail-domain upserts, the lookups other workers
// make, the IPv6-leak columns, and the operator's listings.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import type { Database } from '../connection.js';
import { attacker_behavior, attackers, smtp_targets } from '../schema/attackers.js';
import { deleteRows, insertRows, migratedScratchDatabase, tableRows, truncateTables } from '../testing.js';
import {
  addSmtpTargets,
  attackerUuidsByAddress,
  deleteSmtpTargets,
  findAttackers,
  listAttackers,
  listAttackersForExport,
  readAttackerProfiles,
  recordIpv6Leak,
  upsertBehaviors,
  writeAttackerProfiles,
  type AttackerProfileWrite,
} from './attackers-repository.js';

let scratch: ScratchDatabase;
let database: Database;

beforeAll(async () => {
  ({ scratch, database } = await migratedScratchDatabase());
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});
beforeEach(async () => {
  await truncateTables(database, [attackers, attacker_behavior, smtp_targets]);
});

const T0 = new Date('2026-05-02T06:00:00Z');
const T1 = new Date('2026-05-02T06:10:00Z');

function profile(ip: string, over: Partial<AttackerProfileWrite> = {}): AttackerProfileWrite {
  return {
    uuid: undefined,
    ip,
    first_seen: T0,
    last_seen: T1,
    event_count: 3,
    service_count: 1,
    decky_count: 1,
    services: ['ssh'],
    deckies: ['decky-01'],
    traversal_path: null,
    is_traversal: false,
    bounty_count: 0,
    credential_count: 0,
    fingerprints: [],
    commands: [{ command: 'uname -a' }],
    ...over,
  };
}

describe('profile writes', () => {
  it('inserts new addresses, updates known ones in place, and says which', async () => {
    const first = await writeAttackerProfiles(database.pool, [profile('192.0.2.1'), profile('192.0.2.2')]);
    expect([...first.values()].map((w) => w.inserted)).toEqual([true, true]);
    const uuid = first.get('192.0.2.1')?.uuid as string;
    const second = await writeAttackerProfiles(database.pool, [profile('192.0.2.1', { uuid, event_count: 9 }), profile('192.0.2.3')]);
    expect(second.get('192.0.2.1')).toEqual({ uuid, inserted: false });
    expect(second.get('192.0.2.3')?.inserted).toBe(true);
    const [row] = await tableRows(database, attackers, { match: { ip: '192.0.2.1' } });
    expect(row).toMatchObject({ uuid, event_count: 9, first_seen: T0, last_seen: T1, services: ['ssh'], commands: [{ command: 'uname -a' }] });
  });

  it('inserts a row deleted since it was read, instead of losing its profile', async () => {
    const uuid = (await writeAttackerProfiles(database.pool, [profile('192.0.2.4')])).get('192.0.2.4')?.uuid as string;
    await deleteRows(database, attackers, { uuid });
    const again = await writeAttackerProfiles(database.pool, [profile('192.0.2.4', { uuid, event_count: 4 })]);
    expect(again.get('192.0.2.4')?.inserted).toBe(true);
    expect((await tableRows(database, attackers)).map((a) => a.event_count)).toEqual([4]);
  });

  it('writes more rows than one statement carries', async () => {
    const many = Array.from({ length: 600 }, (_, i) => profile(`10.0.${i >> 8}.${i & 255}`));
    expect((await writeAttackerProfiles(database.pool, many)).size).toBe(600);
  });

  it('reads back the stored profile with its behaviour row', async () => {
    const uuid = (await writeAttackerProfiles(database.pool, [profile('192.0.2.5')])).get('192.0.2.5')?.uuid as string;
    await upsertBehaviors(database.pool, [
      {
        attacker_uuid: uuid,
        behavior_class: 'scanning',
        beacon_interval_s: null,
        beacon_jitter_pct: null,
        tool_guesses: ['nmap'],
        timing_stats: { mean: 1 },
        phase_sequence: {},
        profile_state: { v: 1 },
      },
    ]);
    await upsertBehaviors(database.pool, [
      { attacker_uuid: uuid, behavior_class: 'brute_force', beacon_interval_s: 2.5, beacon_jitter_pct: 0.1, tool_guesses: [], timing_stats: {}, phase_sequence: {}, profile_state: { v: 2 } },
    ]);
    const stored = await readAttackerProfiles(database.pool, ['192.0.2.5', '192.0.2.99']);
    expect([...stored.keys()]).toEqual(['192.0.2.5']);
    expect(stored.get('192.0.2.5')).toMatchObject({ uuid, event_count: 3, behavior_class: 'brute_force', profile_state: { v: 2 }, first_seen: T0 });
    expect(await tableRows(database, attacker_behavior)).toHaveLength(1);
  });
});

describe('mail domains', () => {
  it('adds counts and widens first/last seen; deleting clears an attacker\'s', async () => {
    const uuid = (await writeAttackerProfiles(database.pool, [profile('192.0.2.6')])).get('192.0.2.6')?.uuid as string;
    await addSmtpTargets(database.pool, [{ attacker_uuid: uuid, domain: 'victim.example', first_seen: T1, last_seen: T1, count: 2 }]);
    await addSmtpTargets(database.pool, [{ attacker_uuid: uuid, domain: 'victim.example', first_seen: T0, last_seen: T1, count: 1 }]);
    await addSmtpTargets(database.pool, []);
    expect((await tableRows(database, smtp_targets)).map((r) => ({ domain: r.domain, count: r.count, first_seen: r.first_seen }))).toEqual([
      { domain: 'victim.example', count: 3, first_seen: T0 },
    ]);
    await deleteSmtpTargets(database.pool, [uuid]);
    await deleteSmtpTargets(database.pool, []);
    expect(await tableRows(database, smtp_targets)).toEqual([]);
  });
});

describe('lookups by other workers', () => {
  it('maps addresses to uuids and finds attackers by uuid or address', async () => {
    await insertRows(database, attackers, [
      { uuid: '11111111-1111-4111-8111-111111111111', ip: '192.0.2.7', identity_id: null },
      { uuid: '22222222-2222-4222-8222-222222222222', ip: '192.0.2.8' },
    ]);
    expect(await attackerUuidsByAddress(database.pool, ['192.0.2.7', '192.0.2.9'])).toEqual(new Map([['192.0.2.7', '11111111-1111-4111-8111-111111111111']]));
    const found = await findAttackers(database.pool, ['22222222-2222-4222-8222-222222222222'], ['192.0.2.7']);
    expect(found.sort((a, b) => a.ip.localeCompare(b.ip))).toEqual([
      { uuid: '11111111-1111-4111-8111-111111111111', ip: '192.0.2.7', identity_id: null },
      { uuid: '22222222-2222-4222-8222-222222222222', ip: '192.0.2.8', identity_id: null },
    ]);
  });

  it('records IPv6 leaks: counts each, keeps stored values a leak lacks, cuts values to their columns', async () => {
    const uuid = '33333333-3333-4333-8333-333333333333';
    await insertRows(database, attackers, [{ uuid, ip: '192.0.2.10' }]);
    await recordIpv6Leak(database.pool, uuid, { addr: 'fe80::a00:27ff:fe4e:66a1', iidKind: 'eui64', macOui: '08:00:27' });
    await recordIpv6Leak(database.pool, uuid, { addr: null, iidKind: 'x'.repeat(40), macOui: null });
    const [row] = await tableRows(database, attackers, { match: { uuid } });
    expect(row).toMatchObject({ ipv6_leak_count: 2, last_ipv6_link_local: 'fe80::a00:27ff:fe4e:66a1', last_ipv6_iid_kind: 'x'.repeat(16), last_ipv6_mac_oui: '08:00:27' });
  });
});

describe('the operator\'s listings', () => {
  it('lists most recently seen first with behaviour, and exports oldest first', async () => {
    const written = await writeAttackerProfiles(database.pool, [profile('192.0.2.11', { last_seen: T0 }), profile('192.0.2.12', { first_seen: T1, last_seen: T1 })]);
    const uuid = written.get('192.0.2.11')?.uuid as string;
    await upsertBehaviors(database.pool, [
      { attacker_uuid: uuid, behavior_class: 'scanning', beacon_interval_s: null, beacon_jitter_pct: null, tool_guesses: ['nmap'], timing_stats: {}, phase_sequence: {}, profile_state: { v: 1 } },
    ]);
    const listed = await listAttackers(database.pool, 10);
    expect(listed.map((a) => [a.ip, a.behavior_class])).toEqual([
      ['192.0.2.12', null],
      ['192.0.2.11', 'scanning'],
    ]);
    expect(listed[1]).not.toHaveProperty('profile_state');
    expect(await listAttackers(database.pool, 1)).toHaveLength(1);
    expect((await listAttackersForExport(database.pool)).map((a) => a.ip)).toEqual(['192.0.2.11', '192.0.2.12']);
    expect((await listAttackersForExport(database.pool, uuid)).map((a) => a.ip)).toEqual(['192.0.2.11']);
  });
});
