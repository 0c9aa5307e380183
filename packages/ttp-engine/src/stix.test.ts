// STIX 2.1 export: the bundle built from attackers and tags passes the checker (ids, spec
// version, timestamps, required properties, resolvable references), ids are deterministic, and
// the checker itself rejects broken bundles.
import { describe, expect, it } from 'vitest';
import { AttackCatalog } from './attack-catalog.js';
import { STIX_NAMESPACE, buildStixBundle, validateStixBundle, type StixObject } from './stix.js';
import { uuidv5 } from './uuid.js';

const attack = AttackCatalog.curated();
const attackers = [
  { uuid: '11111111-1111-4111-8111-111111111111', ip: '198.51.100.7', firstSeen: new Date('2026-05-01T10:00:00Z'), lastSeen: new Date('2026-05-02T10:00:00Z'), countryCode: 'NL', asn: 64500, asName: 'EXAMPLE-AS' },
  { uuid: '22222222-2222-4222-8222-222222222222', ip: '2001:db8::7', firstSeen: new Date('2026-05-02T10:00:00Z'), lastSeen: new Date('2026-05-02T10:00:00Z') },
];
const tags = [
  { uuid: '9aa491e5-f03b-5d8f-9eb5-161becedcdd6', attackerUuid: attackers[0]?.uuid, techniqueId: 'T1003', subTechniqueId: 'T1003.008', tactic: 'TA0006', confidence: 0.95, ruleId: 'R0014', sourceKind: 'command', sessionId: 's1', createdAt: new Date('2026-05-02T10:00:01Z') },
  { uuid: 'a2b9a5f0-0d7e-5c1a-9f53-000000000001', attackerUuid: attackers[0]?.uuid, techniqueId: 'T1105', tactic: 'TA0011', confidence: 0.85, ruleId: 'R0012', sourceKind: 'command', createdAt: new Date('2026-05-02T10:00:02Z') },
  { uuid: 'a2b9a5f0-0d7e-5c1a-9f53-000000000002', attackerUuid: attackers[1]?.uuid, techniqueId: 'T1105', tactic: 'TA0011', confidence: 0.85, ruleId: 'R0012', sourceKind: 'command', createdAt: new Date('2026-05-02T10:00:03Z') },
  { uuid: 'a2b9a5f0-0d7e-5c1a-9f53-000000000003', identityUuid: '33333333-3333-4333-8333-333333333333', techniqueId: 'T1110', subTechniqueId: 'T1110.003', tactic: 'TA0006', confidence: 0.9, ruleId: 'R0003', sourceKind: 'identity', createdAt: new Date('2026-05-02T10:00:04Z') },
];
const now = new Date('2026-05-02T12:00:00Z');
const byType = (objects: readonly StixObject[], type: string) => objects.filter((o) => o.type === type);

describe('the STIX export is a valid STIX 2.1 bundle', () => {
  const bundle = buildStixBundle({ attackers, tags, attack, now });

  it('passes the checker', () => {
    expect(validateStixBundle(JSON.parse(JSON.stringify(bundle)))).toEqual([]);
  });

  it('has one threat actor per attacker and identity, address SCOs with observed data, one attack pattern per technique', () => {
    expect(byType(bundle.objects, 'threat-actor').map((o) => o.name)).toEqual(['DECNET-attacker-11111111', 'DECNET-attacker-22222222', 'DECNET-identity-33333333']);
    expect(byType(bundle.objects, 'ipv4-addr').map((o) => o.value)).toEqual(['198.51.100.7']);
    expect(byType(bundle.objects, 'ipv6-addr').map((o) => o.value)).toEqual(['2001:db8::7']);
    expect(byType(bundle.objects, 'observed-data')).toHaveLength(2);
    expect(byType(bundle.objects, 'attack-pattern').map((o) => o.name).sort()).toEqual([
      'Brute Force: Password Spraying',
      'Ingress Tool Transfer',
      'OS Credential Dumping: /etc/passwd and /etc/shadow',
    ]);
    expect(byType(bundle.objects, 'relationship')).toHaveLength(4);
    expect(byType(bundle.objects, 'sighting')).toHaveLength(4);
  });

  it('uses deterministic ids: upstream\'s namespace for actors, the spec\'s for SCOs, the tag id for sightings', () => {
    expect(byType(bundle.objects, 'threat-actor')[0]?.id).toBe(`threat-actor--${uuidv5(STIX_NAMESPACE, attackers[0]?.uuid as string)}`);
    expect(byType(bundle.objects, 'sighting')[0]?.id).toBe('sighting--9aa491e5-f03b-5d8f-9eb5-161becedcdd6');
    const again = buildStixBundle({ attackers, tags, attack, now });
    expect(again.objects.map((o) => o.id)).toEqual(bundle.objects.map((o) => o.id));
    expect(again.id).not.toBe(bundle.id);
  });

  it('links each sighting to its technique, the honeypot and the attacker\'s observed data', () => {
    const sighting = byType(bundle.objects, 'sighting')[0] as Record<string, unknown>;
    const pattern = bundle.objects.find((o) => o.id === sighting.sighting_of_ref) as Record<string, unknown>;
    expect(pattern.external_references).toEqual([{ source_name: 'mitre-attack', external_id: 'T1003.008', url: 'https://attack.mitre.org/techniques/T1003/008/' }]);
    expect(sighting.confidence).toBe(95);
    expect((sighting.observed_data_refs as string[])[0]).toMatch(/^observed-data--/);
  });
});

describe('the checker rejects what STIX 2.1 forbids', () => {
  const valid = buildStixBundle({ attackers, tags, attack, now });
  const broken = (edit: (objects: Record<string, unknown>[]) => void) => {
    const copy = JSON.parse(JSON.stringify(valid)) as { objects: Record<string, unknown>[] };
    edit(copy.objects);
    return validateStixBundle(copy);
  };

  it('catches a missing required property, a dangling reference, a bad id, a bad timestamp and a bad custom name', () => {
    expect(broken((o) => delete o.find((x) => x.type === 'threat-actor')?.name)).toEqual([expect.stringMatching(/missing required name/)]);
    expect(broken((o) => ((o.find((x) => x.type === 'sighting') as Record<string, unknown>).sighting_of_ref = 'attack-pattern--00000000-0000-4000-8000-000000000000'))).toEqual([
      expect.stringMatching(/sighting_of_ref does not resolve/),
    ]);
    expect(broken((o) => ((o[0] as Record<string, unknown>).spec_version = '2.0'))).toEqual([expect.stringMatching(/spec_version/)]);
    expect(broken((o) => ((o[0] as Record<string, unknown>).created = 'yesterday'))).toEqual([expect.stringMatching(/created must be/)]);
    expect(broken((o) => ((o[0] as Record<string, unknown>).x_Bad = 1))).toEqual([expect.stringMatching(/custom property x_Bad/)]);
    expect(validateStixBundle({ type: 'bundle', id: 'bundle--x', objects: [] })).toEqual(['bundle id must be bundle--<uuid>']);
  });
});
