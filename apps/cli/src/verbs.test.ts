// One spelling per noun: `decnet --help` lists the singular verbs only, and each plural spelling
// of earlier releases is a hidden alias that behaves exactly as the verb it stands for.
import { describe, expect, it } from 'vitest';
import { helpText, main } from './main.js';
import { captureIO as capture } from './testing.js';
import { VERB_ALIASES, VERBS, resolveVerb } from './verbs.js';

async function output(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await main(argv, io);
  return { code, out: io.out, err: io.err };
}

describe('decnet --help shows one spelling per noun', () => {
  const listed = helpText()
    .split('\n')
    .filter((l) => /^ {2}\S/.test(l))
    .map((l) => l.trim().split(/\s+/)[0]);

  it('lists every verb once and no alias', () => {
    expect(listed).toEqual(VERBS.map((v) => v.name));
    for (const alias of VERB_ALIASES) expect(listed).not.toContain(alias.name);
  });

  it('keeps every alias pointing at a listed verb, and no alias shadows a verb', () => {
    for (const alias of VERB_ALIASES) {
      expect(VERBS.map((v) => v.name)).toContain(alias.verb);
      expect(VERBS.map((v) => v.name)).not.toContain(alias.name);
    }
    expect(VERB_ALIASES.map((a) => a.name).sort()).toEqual(['archetypes', 'attackers', 'distros', 'logs', 'services', 'workers']);
  });
});

describe('the plural spellings still work', () => {
  it.each([
    [['workers', '--json'], ['worker', '--json']],
    [['workers', 'list'], ['worker']],
    [['services'], ['service', 'catalog']],
    [['services', '--json'], ['service', 'catalog', '--json']],
    [['archetypes', '--json'], ['archetype', '--json']],
    [['distros'], ['distro']],
    [['logs', '--help'], ['log', '--help']],
    [['attackers', '--help'], ['attacker', '--help']],
  ])('%j prints what %j prints', async (alias, canonical) => {
    const a = await output(alias);
    const b = await output(canonical);
    expect(a.code).toBe(0);
    expect(a).toEqual(b);
    expect(a.out.length).toBeGreaterThan(0);
  });

  it('answers a usage error in the spelling the user typed', async () => {
    expect((await output(['worker', '--bogus'])).err.split('\n')[0]).toMatch(/^decnet worker: .*--bogus/);
    expect((await output(['workers', '--bogus'])).err).toMatch(/^decnet workers: .*--bogus[\s\S]*Run "decnet workers --help"/);
    expect((await output(['services', 'extra'])).err).toMatch(/^decnet services: unexpected argument "extra"/);
    expect((await output(['distros', 'extra'])).code).toBe(2);
  });

  it('resolves an alias with its leading arguments, and nothing for an unknown word', () => {
    expect(resolveVerb('services', ['--json'])).toMatchObject({ verb: { name: 'service' }, args: ['catalog', '--json'], spelling: 'services' });
    expect(resolveVerb('worker', ['status'])).toMatchObject({ verb: { name: 'worker' }, args: ['status'], spelling: 'worker' });
    expect(resolveVerb('servicez', [])).toBeUndefined();
  });
});

describe('decnet worker folds listing, status and control into one noun', () => {
  it('lists by default and with "list"', async () => {
    const a = await output(['worker']);
    expect(a.code).toBe(0);
    expect(a.out.split('\n')[0]).toMatch(/^NAME\s+NEEDS\s+GROUP/);
    expect((await output(['worker', 'list'])).out).toBe(a.out);
  });

  it('refuses an unknown worker for control with exit 2, and a missing name as a usage error', async () => {
    const unknown = await output(['worker', 'restart', 'nosuch']);
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown worker "nosuch"; known: .*fixture/);
    const missing = await output(['worker', 'stop']);
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/^decnet worker: expected stop <name>/);
    expect((await output(['worker', 'explode'])).err).toMatch(/unknown subcommand "explode"/);
  });

  it('says control needs the Kafka bus when the bus is in memory', async () => {
    const io = capture({ DECNET_BUS: 'memory', DECNET_HOME: '/tmp/decnet-test' });
    expect(await main(['worker', 'stop', 'fixture'], io)).toBe(1);
    expect(io.err).toContain('control needs the Kafka bus');
  });
});
