import { describe, expect, it } from 'vitest';
import { ComposeSchemaError } from './errors.js';
import { assertValidCompose, composeProblems } from './compose-validate.js';

const ok = () => ({
  name: 'p',
  services: {
    base: { image: 'debian', networks: { lan: { ipv4_address: '10.0.0.2' } }, ports: ['22:22'] },
    svc: { build: { context: '/x', args: { A: 'b' } }, network_mode: 'service:base', depends_on: ['base'] },
  },
  networks: { lan: { external: true, name: 'lan' } },
  'x-decnet': { kind: 'test' },
});

describe('compose validation applies the schema, then cross-references', () => {
  it('accepts a well-formed document', () => {
    expect(composeProblems(ok())).toEqual([]);
    expect(() => assertValidCompose(ok())).not.toThrow();
  });
  it.each<[string, (d: ReturnType<typeof ok>) => void, string]>([
    ['an unknown service key', (d) => ((d.services.base as Record<string, unknown>)['imagee'] = 'x'), 'unknown key "imagee"'],
    ['an unknown top-level key', (d) => ((d as Record<string, unknown>)['servics'] = {}), 'unknown key "servics"'],
    ['a bad project name', (d) => (d.name = 'Bad Name'), 'name'],
    ['a malformed ipv4_address', (d) => (d.services.base.networks.lan.ipv4_address = '10.0.0.300'), 'ipv4_address'],
    ['a non-string environment value', (d) => ((d.services.svc as Record<string, unknown>)['environment'] = { A: { b: 1 } }), 'environment'],
    ['a service with neither image nor build', (d) => delete (d.services.base as Record<string, unknown>)['image'], 'neither image nor build'],
    ['network_mode naming a missing service', (d) => (d.services.svc.network_mode = 'service:ghost'), 'no service ghost'],
    ['depends_on naming a missing service', (d) => (d.services.svc.depends_on = ['ghost']), 'depends_on: no service ghost'],
    ['an undeclared network', (d) => (d.networks = {} as typeof d.networks), 'network lan is not declared'],
    ['a duplicate container name', (d) => {
      (d.services.base as Record<string, unknown>)['container_name'] = 'c';
      (d.services.svc as Record<string, unknown>)['container_name'] = 'c';
    }, 'already used by base'],
    ['a host port published twice', (d) => ((d.services as Record<string, unknown>)['other'] = { image: 'x', ports: ['22:22'] }), 'host port 0.0.0.0:22/tcp already published'],
  ])('reports %s', (_what, breakIt, text) => {
    const d = ok();
    breakIt(d);
    const problems = composeProblems(d);
    expect(problems.join('\n')).toContain(text);
    expect(() => assertValidCompose(d)).toThrow(ComposeSchemaError);
  });
  it('does not throw on non-objects', () => {
    expect(composeProblems(null).length).toBeGreaterThan(0);
    expect(composeProblems('services: {}').length).toBeGreaterThan(0);
  });
});

describe('the generated validator matches the shipped schema', () => {
  it('is what scripts/generate-compose-validator.ts would write now', async () => {
    const { readFileSync } = await import('node:fs');
    const { buildComposeValidatorSource } = await import('./schema/build-validator.js');
    const dir = new URL('./schema/', import.meta.url);
    const schema = JSON.parse(readFileSync(new URL('compose-spec.json', dir), 'utf8')) as object;
    expect(readFileSync(new URL('compose-validator.generated.ts', dir), 'utf8')).toBe(buildComposeValidatorSource(schema));
  });
});
