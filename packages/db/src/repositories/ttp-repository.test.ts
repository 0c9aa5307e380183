// The ttp repository against real Postgres: tags inserted once (a replay inserts nothing) with
// attacker text made storable, rule states, the enrichment reads and the tag listings.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import type { Database } from '../connection.js';
import { isDataOrConstraintError, isForeignKeyError } from '../errors.js';
import { attacker_intel, attackers } from '../schema/attackers.js';
import { attacker_identities } from '../schema/identities.js';
import { credentials } from '../schema/logs.js';
import { ttp_rule_state, ttp_tag } from '../schema/ttp.js';
import { insertRows, migratedScratchDatabase, tableRows, truncateTables } from '../testing.js';
import {
  existingIdentities,
  insertTags,
  listTags,
  listTagsForExport,
  readAttackerIntel,
  readRuleStates,
  readSprayedSecret,
  type NewTagRow,
} from './ttp-repository.js';

let scratch: ScratchDatabase;
let database: Database;

const ATTACKER = '11111111-1111-4111-8111-111111111111';
const IDENTITY = '44444444-4444-4444-8444-444444444444';
const IP = '198.51.100.7';

beforeAll(async () => {
  ({ scratch, database } = await migratedScratchDatabase());
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});
beforeEach(async () => {
  await truncateTables(database, [ttp_tag, ttp_rule_state, attacker_intel, credentials, attackers, attacker_identities]);
  await insertRows(database, attacker_identities, [{ uuid: IDENTITY }]);
  await insertRows(database, attackers, [{ uuid: ATTACKER, ip: IP, identity_id: IDENTITY }]);
});

function tag(uuid: string, over: Partial<NewTagRow> = {}): NewTagRow {
  return {
    uuid,
    source_kind: 'command',
    source_id: 'cmd:1',
    attacker_uuid: ATTACKER,
    identity_uuid: null,
    session_id: 'sess-1',
    decky_id: 'decky-01',
    tactic: 'TA0006',
    technique_id: 'T1003',
    sub_technique_id: 'T1003.008',
    confidence: 0.95,
    rule_id: 'R0014',
    rule_version: 1,
    evidence: { command_text: 'cat /etc/shadow' },
    attack_release: 'v15.1',
    mitre_url: null,
    ...over,
  };
}

const UUID_A = '9aa491e5-f03b-5d8f-9eb5-161becedcdd6';
const UUID_B = '9aa491e5-f03b-5d8f-9eb5-161becedcdd7';

describe('tags are inserted once', () => {
  it('returns the uuids actually inserted; a replay inserts nothing', async () => {
    expect(await insertTags(database.pool, [tag(UUID_A), tag(UUID_B, { rule_id: 'R0001' })])).toEqual(new Set([UUID_A, UUID_B]));
    expect(await insertTags(database.pool, [tag(UUID_A)])).toEqual(new Set());
    expect(await insertTags(database.pool, [])).toEqual(new Set());
    expect(await tableRows(database, ttp_tag)).toHaveLength(2);
  });

  it('stores attacker text Postgres cannot hold (NUL, lone surrogates) with replacement characters', async () => {
    await insertTags(database.pool, [tag(UUID_A, { evidence: { command_text: 'cat \u0000\ud800' }, session_id: 'x\u0000', source_id: 's\udc00' })]);
    const [row] = await tableRows(database, ttp_tag);
    expect(row).toMatchObject({ evidence: { command_text: 'cat \uFFFD\uFFFD' }, session_id: 'x\uFFFD', source_id: 's\uFFFD' });
  });

  it('refuses a tag whose attacker is gone with a foreign key error, and one without an anchor with a constraint error', async () => {
    const gone = await insertTags(database.pool, [tag(UUID_A, { attacker_uuid: '22222222-2222-4222-8222-222222222222' })]).catch((err: unknown) => err);
    expect(isForeignKeyError(gone)).toBe(true);
    const unanchored = await insertTags(database.pool, [tag(UUID_B, { attacker_uuid: null })]).catch((err: unknown) => err);
    expect(isDataOrConstraintError(unanchored)).toBe(true);
    expect(isForeignKeyError(unanchored)).toBe(false);
  });
});

describe('rule states and enrichment reads', () => {
  it('reads every operator override as stored', async () => {
    const expires = new Date('2027-01-01T00:00:00Z');
    await insertRows(database, ttp_rule_state, [
      { rule_id: 'R0014', state: 'disabled', set_by: 'test' },
      { rule_id: 'R0001', state: 'clipped', confidence_max: 0.5, expires_at: expires },
    ]);
    const states = (await readRuleStates(database.pool)).sort((a, b) => a.rule_id.localeCompare(b.rule_id));
    expect(states).toEqual([
      { rule_id: 'R0001', state: 'clipped', confidence_max: 0.5, expires_at: expires },
      { rule_id: 'R0014', state: 'disabled', confidence_max: null, expires_at: null },
    ]);
  });

  it('reads an attacker\'s stored intel, or nothing', async () => {
    expect(await readAttackerIntel(database.pool, ATTACKER)).toBeUndefined();
    await insertRows(database, attacker_intel, [
      { uuid: 'i1', attacker_uuid: ATTACKER, attacker_ip: IP, feodo_listed: true, feodo_malware_family: 'Emotet', expires_at: new Date(Date.now() + 86_400_000) },
    ]);
    expect(await readAttackerIntel(database.pool, ATTACKER)).toMatchObject({ attacker_ip: IP, feodo_listed: true, feodo_malware_family: 'Emotet', greynoise_name: null });
  });

  it('finds the secret an identity\'s attackers sprayed over the most accounts', async () => {
    expect(await readSprayedSecret(database.pool, IDENTITY)).toBeUndefined();
    const attempt = (principal: string, sha: string) => ({ attacker_ip: IP, decky_name: 'decky-01', service: 'ssh', principal, principal_key: principal, secret_sha256: sha });
    await insertRows(database, credentials, [attempt('root', 'aa11'), attempt('admin', 'aa11'), attempt('oracle', 'aa11'), attempt('root', 'bb22'), attempt('', 'cc33')]);
    expect(await readSprayedSecret(database.pool, IDENTITY)).toEqual({ secret_sha256: 'aa11', accounts: 3 });
  });

  it('tells which identities exist', async () => {
    expect(await existingIdentities(database.pool, [IDENTITY, '55555555-5555-4555-8555-555555555555'])).toEqual(new Set([IDENTITY]));
  });
});

describe('the operator\'s tag listings', () => {
  it('lists newest first with the attacker\'s address, filtered by attacker, and exports oldest first', async () => {
    await insertTags(database.pool, [tag(UUID_A), tag(UUID_B, { rule_id: 'R0001', technique_id: 'T1110', sub_technique_id: null })]);
    // created_at defaults to now(): both rows of one statement share it, so the uuid breaks the tie.
    const listed = await listTags(database.pool, { limit: 10 });
    expect(listed.map((t) => [t.uuid, t.attacker_ip])).toEqual([
      [UUID_A, IP],
      [UUID_B, IP],
    ]);
    expect(await listTags(database.pool, { limit: 1 })).toHaveLength(1);
    expect(await listTags(database.pool, { limit: 10, attackerUuid: '22222222-2222-4222-8222-222222222222' })).toEqual([]);
    expect((await listTagsForExport(database.pool, ATTACKER)).map((t) => t.uuid)).toEqual([UUID_A, UUID_B]);
    expect(listed[0]).toMatchObject({ source_kind: 'command', confidence: 0.95, evidence: { command_text: 'cat /etc/shadow' }, identity_uuid: null });
  });
});
