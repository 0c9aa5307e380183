// `decnet ttp`: corpus scoring on the three shared corpora (read from ../shared as they are) with
// the shipped pack by default or upstream's rules, rule listing with sources and file:line
// errors, tags and STIX export from Postgres, and the ATT&CK verification against a bundle in
// the official format.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@decnet/core';
import { testConfig } from '@decnet/core/testing';
import type { Database } from '@decnet/db';
import { createScratchDatabase, type ScratchDatabase } from '@decnet/testing/postgres';
import { CURATED_ATTACK_DATA, mitreUrl, validateStixBundle } from '@decnet/ttp-engine';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../io.js';
import { run } from './ttp.js';
import { captureIOReaders as capture } from '../testing.js';

const { attackers, migrate, openDatabase, ttp_tag } = await import('@decnet/db');
const { insertRows } = await import('@decnet/db/testing');

const RULES = fileURLToPath(new URL('../../../../../shared/upstream-data/ttp-rules', import.meta.url));
const CORPORA = fileURLToPath(new URL('../../../../../shared/upstream-data/ttp-corpus', import.meta.url));

interface EvalJson {
  rulesLoaded: number;
  rulesFrom: string;
  meetsTargets: boolean;
  corpora: { corpus: string; rows: number; meetsTargets: boolean; overall: { precision: number; recall: number }; rules: { ruleId: string; techniques: string[]; precision: number; recall: number; target: number }[] }[];
}

describe('decnet ttp eval scores the shared corpora with the shipped pack by default', () => {
  it('scores all three corpora of a directory at 0.95 precision and recall or better, per rule (JSON)', async () => {
    const io = capture();
    expect(await run(['eval', CORPORA, '--json'], io)).toBe(0);
    const report = JSON.parse(io.out()) as EvalJson;
    expect(report).toMatchObject({ rulesLoaded: 64, rulesFrom: '64 rules: 64 from the decnet pack', meetsTargets: true });
    expect(report.corpora.map((c) => c.corpus.slice(CORPORA.length + 1))).toEqual(['seed_behavioral.jsonl', 'seed_email.jsonl', 'seed_intel.jsonl']);
    for (const corpus of report.corpora) {
      expect(corpus.overall.precision, corpus.corpus).toBeGreaterThanOrEqual(0.95);
      expect(corpus.overall.recall, corpus.corpus).toBeGreaterThanOrEqual(0.95);
      for (const r of corpus.rules) {
        expect(r.precision, r.ruleId).toBeGreaterThanOrEqual(Math.max(0.95, r.target));
        expect(r.recall, r.ruleId).toBeGreaterThanOrEqual(0.95);
        expect(r.techniques.length, r.ruleId).toBeGreaterThan(0);
      }
    }
  });

  it.each(['seed_behavioral.jsonl', 'seed_email.jsonl', 'seed_intel.jsonl'])('%s: upstream\'s rules meet their targets too', async (file) => {
    const io = capture();
    expect(await run(['eval', join(CORPORA, file), '--rules', RULES, '--rules-mode', 'replace', '--json'], io)).toBe(0);
    const report = JSON.parse(io.out()) as EvalJson;
    expect(report.rulesLoaded).toBe(59);
    expect(report.rulesFrom).toBe(`59 rules: 59 from ${RULES}`);
    expect(report.corpora[0]?.overall).toMatchObject({ precision: 1, recall: 1 });
  });

  it('prints a table per rule with its technique, and the overall line', async () => {
    const io = capture();
    expect(await run(['eval', join(CORPORA, 'seed_intel.jsonl')], io)).toBe(0);
    expect(io.out()).toMatch(/^using 64 rules: 64 from the decnet pack\n/);
    expect(io.out()).toMatch(/\nRULE\s+TECHNIQUE\s+TP\s+FP\s+FN\s+PRECISION\s+RECALL\s+TARGET\s+OK\n/);
    expect(io.out()).toMatch(/R0056\s+T1071\.001,T1588\.001\s+1\s+0\s+0\s+1\.000\s+1\.000\s+0\.95\s+yes/);
    expect(io.out()).toContain('overall: 8 rows, tp 6, fp 0, fn 0, precision 1.000, recall 1.000');
  });

  it('prints one Markdown table over every corpus (the README\'s)', async () => {
    const io = capture();
    expect(await run(['eval', CORPORA, '--markdown'], io)).toBe(0);
    const lines = io.out().split('\n');
    expect(lines[0]).toBe('| corpus | rule | technique | TP | FP | FN | precision | recall |');
    expect(lines).toContain('| seed_behavioral.jsonl | R0036 | T1552.001 | 1 | 0 | 0 | 1.000 | 1.000 |');
    expect(lines.filter((l) => l.includes('**all**'))).toHaveLength(3);
    expect(io.out()).toContain('Rules: 64 rules: 64 from the decnet pack.');
  });

  it('adds an operator directory from DECNET_TTP_RULES_DIR, its rules overriding the pack\'s', async () => {
    const io = capture({ DECNET_TTP_RULES_DIR: RULES });
    expect(await run(['eval', join(CORPORA, 'seed_intel.jsonl'), '--json'], io)).toBe(0);
    expect((JSON.parse(io.out()) as EvalJson).rulesFrom).toBe(`64 rules: 5 from the decnet pack, 59 from ${RULES} (overriding ${Array.from({ length: 59 }, (_, i) => `R${String(i + 1).padStart(4, '0')}`).join(', ')})`);
  });

  it('exits 1 when a rule misses its target, listing the rows that disagree and skipping garbage lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ttp-eval-'));
    try {
      const corpus = join(dir, 'mine.jsonl');
      writeFileSync(
        corpus,
        [
          JSON.stringify({ source_kind: 'command', payload: { command_text: 'cat /etc/shadow' }, expected_rule_ids: [], label: 'admin reading shadow' }),
          JSON.stringify({ source_kind: 'command', payload: { command_text: 'ls -la' }, expected_rule_ids: ['R0019'], label: 'not user discovery' }),
          'garbage',
        ].join('\n'),
      );
      const io = capture();
      expect(await run(['eval', corpus], io)).toBe(1);
      expect(io.out()).toMatch(/R0014\s+T1003\.008\s+0\s+1\s+0\s+0\.000\s+-\s+0\.95\s+NO/);
      expect(io.out()).toMatch(/R0019\s+T1033\s+0\s+0\s+1\s+-\s+0\.000\s+0\.80\s+NO/);
      expect(io.out()).toContain('line 1 (admin reading shadow): expected [], fired [R0014]');
      expect(io.err()).toContain('mine.jsonl:3: skipped: not JSON');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreadable corpus or rule directory in one line, and a bad mode as a usage error', async () => {
    const io = capture();
    expect(await run(['eval', '/nonexistent.jsonl'], io)).toBe(1);
    expect(io.err()).toMatch(/^decnet ttp eval: cannot read \/nonexistent\.jsonl: .*: name a corpus file/);
    const rules = capture();
    expect(await run(['eval', CORPORA, '--rules', '/nonexistent/rules'], rules)).toBe(1);
    expect(rules.err().trim().split('\n')).toEqual([
      expect.stringMatching(/^decnet ttp eval: \/nonexistent\/rules: cannot read the rule directory: .*: name an existing directory with --rules or DECNET_TTP_RULES_DIR$/),
    ]);
    await expect(run(['eval', CORPORA, '--rules-mode', 'merge'], capture())).rejects.toThrow(/--rules-mode must be add or replace/);
    await expect(run(['eval', CORPORA], capture({ DECNET_TTP_RULES_MODE: 'replace' }))).rejects.toThrow(/needs --rules DIR/);
    await expect(run(['eval'], capture())).rejects.toThrow(/at least one/);
  });
});

describe('decnet ttp rules lists the rules and where each comes from', () => {
  it('lists the 64 rules of the shipped pack', async () => {
    const io = capture();
    expect(await run(['rules', '--json'], io)).toBe(0);
    const out = JSON.parse(io.out()) as { rules: { ruleId: string; source: string }[]; errors: unknown[]; dormant: string[]; attackRelease: string; from: string; pack: string };
    expect(out).toMatchObject({ errors: [], dormant: ['R0030'], attackRelease: 'v15.1', from: '64 rules: 64 from the decnet pack' });
    expect(out.pack).toMatch(/packages\/ttp-engine\/rules$/);
    expect(out.rules).toHaveLength(64);
    expect(out.rules.every((r) => r.source === 'pack')).toBe(true);
  });

  it('lists all 59 upstream rules in replace mode', async () => {
    const io = capture();
    expect(await run(['rules', '--rules', RULES, '--rules-mode', 'replace', '--json'], io)).toBe(0);
    const out = JSON.parse(io.out()) as { rules: { source: string }[]; errors: unknown[]; dormant: string[]; pack: null };
    expect(out).toMatchObject({ errors: [], dormant: ['R0030'], pack: null });
    expect(out.rules).toHaveLength(59);
    expect(out.rules.every((r) => r.source === 'dir')).toBe(true);
  });

  it('names a malformed file and its line, shows which rules the directory overrides, and exits 1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ttp-rules-cli-'));
    try {
      writeFileSync(join(dir, 'R0013.yaml'), readFileSync(join(RULES, 'R0013.yaml')));
      writeFileSync(join(dir, 'X0001.yaml'), 'rule_id: X0001\nrule_version: 1\nname: x\napplies_to: [command]\nmatch:\n  pattern: "(a+)+$"\nemits:\n  - {tactic: TA0007, technique_id: T1083, confidence: 0.5}\n');
      const io = capture();
      expect(await run(['rules', '--rules', dir], io)).toBe(1);
      expect(io.out()).toMatch(/R0013\s+1\s+dir\s+etc_passwd_read/);
      expect(io.out()).toMatch(/R0014\s+1\s+pack\s+etc_shadow_read/);
      expect(io.out()).toContain(`64 rules: 63 from the decnet pack, 1 from ${dir} (overriding R0013)`);
      expect(io.err()).toMatch(/rejected: .*X0001\.yaml:6:\d+: match\.pattern: pattern could stall/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decnet ttp attack verify compares the curated data with an official bundle', () => {
  const bundle = (rename?: [string, string]) => ({
    type: 'bundle',
    id: 'bundle--5a1c3b5e-0000-4000-8000-000000000000',
    objects: [
      { type: 'x-mitre-collection', id: 'x-mitre-collection--1eb0a7ca-9b34-4a7a-8b3e-1f0e5d8ee0b0', x_mitre_version: '15.1' },
      ...CURATED_ATTACK_DATA.tactics.map((t) => ({ type: 'x-mitre-tactic', name: t.name, x_mitre_shortname: t.shortName, external_references: [{ source_name: 'mitre-attack', external_id: t.id }] })),
      ...CURATED_ATTACK_DATA.techniques.map((t) => ({
        type: 'attack-pattern',
        name: rename && rename[0] === t.id ? rename[1] : t.name,
        kill_chain_phases: t.tactics.map((p) => ({ kill_chain_name: 'mitre-attack', phase_name: p })),
        external_references: [{ source_name: 'mitre-attack', external_id: t.id, url: mitreUrl(t.id) }],
      })),
    ],
  });

  it('agrees with a matching bundle (exit 0) and lists a renamed technique (exit 1)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ttp-attack-'));
    try {
      writeFileSync(join(dir, 'same.json'), JSON.stringify(bundle()));
      writeFileSync(join(dir, 'renamed.json'), JSON.stringify(bundle(['T1110', 'Brute Forcing'])));
      const same = capture();
      expect(await run(['attack', 'verify', join(dir, 'same.json')], same)).toBe(0);
      expect(same.out()).toContain('agrees');
      const renamed = capture();
      expect(await run(['attack', 'verify', join(dir, 'renamed.json'), '--json'], renamed)).toBe(1);
      expect(JSON.parse(renamed.out()).mismatches).toEqual([{ id: 'T1110', kind: 'name', expected: 'Brute Force', actual: 'Brute Forcing' }]);
      const broken = capture();
      expect(await run(['attack', 'verify', join(dir, 'missing.json')], broken)).toBe(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('decnet ttp tags and export read Postgres', () => {
  let scratch: ScratchDatabase;
  let database: Database;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ttp-export-'));
    scratch = await createScratchDatabase();
    database = await openDatabase(testConfig({ DATABASE_URL: scratch.url }), silentLogger, { retry: false });
    await migrate(database.db, silentLogger);
    await insertRows(database, attackers, [{ uuid: '11111111-1111-4111-8111-111111111111', ip: '198.51.100.7', country_code: 'NL', asn: 64500 }]);
    const tag = (uuid: string, technique: string, sub: string | null, rule: string, at: string) =>
      insertRows(database, ttp_tag, [
        {
          uuid,
          source_kind: 'command',
          source_id: 'cmd:1',
          attacker_uuid: '11111111-1111-4111-8111-111111111111',
          tactic: 'TA0006',
          technique_id: technique,
          sub_technique_id: sub,
          confidence: 0.95,
          rule_id: rule,
          rule_version: 1,
          evidence: { command_text: 'cat /etc/shadow\u001b[2J' },
          attack_release: 'v15.1',
          mitre_url: null,
          created_at: new Date(at),
        },
      ]);
    await tag('9aa491e5-f03b-5d8f-9eb5-161becedcdd6', 'T1003', 'T1003.008', 'R0014', '2026-05-02T10:00:00Z');
    await tag('9aa491e5-f03b-5d8f-9eb5-161becedcdd7', 'T1110', null, 'R0001', '2026-05-02T10:00:01Z');
  });
  afterAll(async () => {
    await database.close();
    await scratch.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists tags newest first, as a table and as JSON', async () => {
    const table = capture({ DATABASE_URL: scratch.url });
    expect(await run(['tags'], table)).toBe(0);
    const lines = table.out().trim().split('\n');
    expect(lines[0]).toMatch(/^TIME \(UTC\)\s+ATTACKER\s+TECHNIQUE\s+NAME/);
    expect(lines[1]).toMatch(/198\.51\.100\.7\s+T1110\s+Brute Force\s+Credential Access\s+0\.95\s+R0001/);
    expect(lines[2]).toContain('OS Credential Dumping: /etc/passwd and /etc/shadow');
    const json = capture({ DATABASE_URL: scratch.url });
    expect(await run(['tags', '--json', '--limit', '1'], json)).toBe(0);
    expect(JSON.parse(json.out())).toEqual([expect.objectContaining({ rule_id: 'R0001', attacker_ip: '198.51.100.7', technique_name: 'Brute Force' })]);
  });

  it('exports a valid STIX 2.1 bundle to a file and to stdout', async () => {
    const out = join(dir, 'decnet.stix.json');
    const io = capture({ DATABASE_URL: scratch.url });
    expect(await run(['export', '--stix', '--out', out], io)).toBe(0);
    expect(io.err()).toContain('1 attackers, 2 sightings');
    const bundle = JSON.parse(readFileSync(out, 'utf8')) as { objects: { type: string }[] };
    expect(validateStixBundle(bundle)).toEqual([]);
    expect(bundle.objects.filter((o) => o.type === 'sighting')).toHaveLength(2);
    const stdout = capture({ DATABASE_URL: scratch.url });
    expect(await run(['export', '--stix', '--attacker', '11111111-1111-4111-8111-111111111111'], stdout)).toBe(0);
    expect(validateStixBundle(JSON.parse(stdout.out()))).toEqual([]);
  });

  it('refuses bad arguments with a usage error', async () => {
    await expect(run([], capture())).rejects.toThrow(UsageError);
    await expect(run(['export'], capture({ DATABASE_URL: scratch.url }))).rejects.toThrow(/--stix/);
    await expect(run(['tags', '--limit', '0'], capture())).rejects.toThrow(/--limit/);
  });
});
