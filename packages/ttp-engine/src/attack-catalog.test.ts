// ATT&CK data: the curated extract is self-consistent and records its release; names resolve as
// "Parent: Child"; an official-format bundle is read, overrides the extract, and differences
// between the two are reported.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AttackCatalog, compareAttackData, mitreUrl, parseAttackBundle, resolveAttackCatalog } from './attack-catalog.js';
import { CURATED_ATTACK_DATA } from './attack-data.js';
import { AttackBundleError, UnknownTechniqueError } from './errors.js';

/** A bundle in the official shape, built from the curated data with a few edits. */
function bundleFrom(edit: (objects: Record<string, unknown>[]) => void = () => undefined, version = '15.1'): string {
  const objects: Record<string, unknown>[] = [
    { type: 'x-mitre-collection', id: 'x-mitre-collection--1eb0a7ca-9b34-4a7a-8b3e-1f0e5d8ee0b0', x_mitre_version: version, name: 'Enterprise ATT&CK' },
    ...CURATED_ATTACK_DATA.tactics.map((t, i) => ({
      type: 'x-mitre-tactic',
      id: `x-mitre-tactic--00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      name: t.name,
      x_mitre_shortname: t.shortName,
      external_references: [{ source_name: 'mitre-attack', external_id: t.id, url: mitreUrl(t.id) }],
    })),
    ...CURATED_ATTACK_DATA.techniques.map((t, i) => ({
      type: 'attack-pattern',
      id: `attack-pattern--00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
      name: t.name,
      kill_chain_phases: t.tactics.map((p) => ({ kill_chain_name: 'mitre-attack', phase_name: p })),
      external_references: [{ source_name: 'mitre-attack', external_id: t.id, url: mitreUrl(t.id) }],
    })),
    { type: 'attack-pattern', id: 'attack-pattern--deadbeef-0000-4000-8000-000000000000', name: 'Old', revoked: true, external_references: [{ source_name: 'mitre-attack', external_id: 'T1000' }] },
  ];
  edit(objects);
  return JSON.stringify({ type: 'bundle', id: 'bundle--5a1c3b5e-0000-4000-8000-000000000000', objects });
}

describe('the curated ATT&CK extract', () => {
  const attack = AttackCatalog.curated();

  it('says it is curated and which release it follows', () => {
    expect(CURATED_ATTACK_DATA).toMatchObject({ domain: 'enterprise-attack', release: 'v15.1', curated: true, origin: 'curated' });
    expect(attack.release).toBe('v15.1');
  });

  it('has the 14 Enterprise tactics, each found by id and short name', () => {
    expect(attack.allTactics()).toHaveLength(14);
    expect(attack.tactic('TA0006')?.name).toBe('Credential Access');
    expect(attack.tactic('command-and-control')?.id).toBe('TA0011');
  });

  it('names sub-techniques "Parent: Child" and links them to attack.mitre.org', () => {
    expect(attack.techniqueName('T1110.001')).toBe('Brute Force: Password Guessing');
    expect(attack.techniqueName('T1003.008')).toBe('OS Credential Dumping: /etc/passwd and /etc/shadow');
    expect(attack.techniqueName('T1110')).toBe('Brute Force');
    expect(attack.technique('T1110.001')?.url).toBe('https://attack.mitre.org/techniques/T1110/001/');
    expect(mitreUrl('TA0001')).toBe('https://attack.mitre.org/tactics/TA0001/');
    expect(() => attack.techniqueName('T9999')).toThrow(UnknownTechniqueError);
  });

  it('is self-consistent: every sub-technique has its parent, every tactic short name exists, ids are unique', () => {
    const ids = CURATED_ATTACK_DATA.techniques.map((t) => t.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const t of attack.allTechniques()) {
      if (t.parentId) expect(attack.technique(t.parentId), t.id).toBeDefined();
      for (const phase of t.tactics) expect(attack.tactic(phase), `${t.id} ${phase}`).toBeDefined();
      if (t.parentId) expect(t.tactics).toEqual(attack.technique(t.parentId)?.tactics);
    }
  });
});

describe('an official enterprise-attack bundle overrides and checks the curated names', () => {
  it('reads techniques, tactics, STIX ids and the release; skips revoked objects', () => {
    const data = parseAttackBundle(bundleFrom(), 'test.json');
    expect(data.release).toBe('v15.1');
    expect(data.curated).toBe(false);
    expect(data.techniques.find((t) => t.id === 'T1000')).toBeUndefined();
    expect(new AttackCatalog(data).technique('T1110.001')?.stixId).toMatch(/^attack-pattern--/);
    expect(compareAttackData(CURATED_ATTACK_DATA, data)).toEqual([]);
  });

  it('reports a renamed technique, changed tactics, a missing technique and another release', () => {
    const bundle = bundleFrom((objects) => {
      const byId = (id: string) => objects.find((o) => (o.external_references as { external_id: string }[] | undefined)?.[0]?.external_id === id) as Record<string, unknown>;
      byId('T1036.005').name = 'Match Legitimate Resource Name or Location';
      byId('T1098').kill_chain_phases = [{ kill_chain_name: 'mitre-attack', phase_name: 'persistence' }];
      objects.splice(objects.indexOf(byId('T1029')), 1);
    }, '16.0');
    expect(compareAttackData(CURATED_ATTACK_DATA, parseAttackBundle(bundle, 'b.json'))).toEqual([
      { id: 'release', kind: 'release', expected: 'v15.1', actual: 'v16.0' },
      { id: 'T1029', kind: 'missing', expected: 'Scheduled Transfer', actual: '' },
      { id: 'T1036.005', kind: 'name', expected: 'Match Legitimate Name or Location', actual: 'Match Legitimate Resource Name or Location' },
      { id: 'T1098', kind: 'tactics', expected: 'persistence,privilege-escalation', actual: 'persistence' },
    ]);
  });

  it('refuses files that are not bundles', () => {
    expect(() => parseAttackBundle('{', 'x.json')).toThrow(AttackBundleError);
    expect(() => parseAttackBundle('{"type":"bundle","objects":[]}', 'x.json')).toThrow(/no ATT&CK techniques/);
    expect(() => parseAttackBundle('[]', 'x.json')).toThrow(/not a STIX bundle/);
  });

  it('uses DECNET_ATTACK_BUNDLE when set (fail closed on a bad file), the curated data otherwise', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attack-'));
    try {
      const path = join(dir, 'enterprise-attack.json');
      writeFileSync(path, bundleFrom(() => undefined, '15.1'));
      expect(resolveAttackCatalog({ DECNET_ATTACK_BUNDLE: path }).data.origin).toBe(path);
      expect(resolveAttackCatalog({}).data.curated).toBe(true);
      expect(() => resolveAttackCatalog({ DECNET_ATTACK_BUNDLE: join(dir, 'missing.json') })).toThrow(/cannot read/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
