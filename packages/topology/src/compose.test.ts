import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { type ComposeFile, composeToYaml } from './compose.js';

const asDoc = (services: Record<string, unknown>): ComposeFile => ({ services, networks: {} }) as unknown as ComposeFile;

describe('composeToYaml writes YAML every parser reads back as the same document', () => {
  it('quotes every scalar a YAML 1.1 or 1.2 parser could read as a non-string', () => {
    const tricky = ['22:22', '53:53/udp', 'yes', 'No', 'on', 'OFF', 'y', 'null', '~', '5', '1.0', '1e3', '0x1A', '0777', '10m', '192.168.1.2', '', ' lead', 'a: b', '#x', '- x', '@x', '2026-01-01', '.inf', 'true'];
    const doc = asDoc({ s: { environment: Object.fromEntries(tricky.map((t, i) => [`K${i}`, t])) } });
    const yaml = composeToYaml(doc);
    for (const version of ['1.1', '1.2'] as const) expect(parse(yaml, { version })).toEqual(doc);
    expect(yaml).toContain('K0: "22:22"');
    expect(yaml).toContain('K2: "yes"');
  });
  it('leaves ordinary identifiers plain and lays out nested blocks with two-space indents', () => {
    const yaml = composeToYaml(asDoc({ web: { image: 'debian:bookworm-slim', command: ['sleep', 'infinity'], network_mode: 'service:decky-01', sysctls: { 'net.ipv4.ip_forward': 1 }, cap_add: [] } }));
    expect(yaml).toBe(
      [
        'services:',
        '  web:',
        '    image: debian:bookworm-slim',
        '    command:',
        '      - sleep',
        '      - infinity',
        '    network_mode: service:decky-01',
        '    sysctls:',
        '      net.ipv4.ip_forward: 1',
        '    cap_add: []',
        'networks: {}',
        '',
      ].join('\n'),
    );
  });
  it('writes lists of mappings with the first key on the dash line', () => {
    const yaml = composeToYaml({ services: {}, networks: { n: { ipam: { config: [{ subnet: '10.0.0.0/24', gateway: '10.0.0.1' }] } } } });
    expect(yaml).toContain('      config:\n        - subnet: "10.0.0.0/24"\n          gateway: "10.0.0.1"\n');
  });
  it('round-trips arbitrary strings, numbers and booleans', () => {
    const value = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.string({ unit: 'binary' }), fc.integer(), fc.boolean(), fc.constant(null));
    const leaf = fc.dictionary(fc.string({ minLength: 1 }), value);
    fc.assert(
      fc.property(fc.dictionary(fc.string({ minLength: 1 }), fc.oneof(leaf, fc.array(value, { minLength: 1 }), fc.array(leaf, { minLength: 1 }))), (services) => {
        const doc = asDoc(services);
        const yaml = composeToYaml(doc);
        expect(parse(yaml, { version: '1.1', uniqueKeys: false })).toEqual(doc);
        expect(parse(yaml, { uniqueKeys: false })).toEqual(doc);
      }),
      { numRuns: 300 },
    );
  });
});
