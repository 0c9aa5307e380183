// Rule loading: all 59 upstream files load (R0030 dormant, R0031's off-tactic emit reported),
// and a malformed file is rejected naming its file and line while the others keep working.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AttackCatalog } from './attack-catalog.js';
import { TtpEngine } from './engine.js';
import { RuleLoadError } from './errors.js';
import { loadRuleDirectory, parseRule } from './rule-loader.js';
import { UPSTREAM_RULES_DIR, upstreamEngine, upstreamRuleFiles } from './test-kit.fixture.js';

const attack = AttackCatalog.curated();

const GOOD = `rule_id: X0001
rule_version: 1
name: shadow
applies_to: [command]
match:
  field: command_text
  pattern: '(?i)/etc/shadow\\Z'
emits:
  - tactic: TA0006
    technique_id: T1003
    sub_technique_id: T1003.008
    confidence: 0.9
evidence_fields: [command_text]
`;

function withField(yaml: string, from: string, to: string): string {
  if (!yaml.includes(from)) throw new Error(`fixture text not found: ${from}`);
  return yaml.split(from).join(to);
}

describe('every upstream rule loads', () => {
  it('compiles all 59 files with no errors, in id order', () => {
    const { report } = upstreamEngine();
    expect(upstreamRuleFiles()).toHaveLength(59);
    expect(report.errors.map((e) => e.message)).toEqual([]);
    expect(report.rules).toHaveLength(59);
    expect(report.rules.map((r) => r.ruleId)).toEqual(Array.from({ length: 59 }, (_, i) => `R${String(i + 1).padStart(4, '0')}`));
  });

  it('keeps versions as written (R0054, R0055 and R0057 at version 2)', () => {
    const { report } = upstreamEngine();
    expect(report.rules.filter((r) => r.ruleVersion === 2).map((r) => r.ruleId)).toEqual(['R0054', 'R0055', 'R0057']);
  });

  it('marks R0030 dormant (no c2_fingerprint lifter exists) and never fires it', () => {
    const { report, engine } = upstreamEngine();
    expect(report.dormant.map((r) => r.ruleId)).toEqual(['R0030']);
    expect(engine.rulesFor('session').some((r) => r.ruleId === 'R0030')).toBe(false);
  });

  it("reports R0031's T1029 under TA0011 (an exfiltration technique) as a warning, not an error", () => {
    const { report } = upstreamEngine();
    expect(report.warnings).toHaveLength(1);
    expect(report.warnings[0]).toMatch(/R0031\.yaml:\d+: T1029 \(Scheduled Transfer\) is not a technique of TA0011/);
  });

  it('splits rules as upstream: R0007–R0029 are patterns, the other 36 are lifters', () => {
    const { report } = upstreamEngine();
    const patterns = report.rules.filter((r) => r.match.type === 'pattern').map((r) => r.ruleId);
    expect(patterns).toEqual(Array.from({ length: 23 }, (_, i) => `R${String(i + 7).padStart(4, '0')}`));
    expect(report.rules.length - patterns.length).toBe(36);
  });
});

describe('a malformed rule file is rejected with its file and line', () => {
  const reject = (yaml: string): RuleLoadError => {
    try {
      parseRule(yaml, 'bad.yaml', attack);
    } catch (err) {
      expect(err).toBeInstanceOf(RuleLoadError);
      return err as RuleLoadError;
    }
    throw new Error('expected the rule to be rejected');
  };

  it('accepts the well-formed reference rule', () => {
    expect(parseRule(GOOD, 'good.yaml', attack).ruleId).toBe('X0001');
  });

  it('names the YAML syntax error line', () => {
    const err = reject(withField(GOOD, 'name: shadow', 'name: [unclosed'));
    expect(err.file).toBe('bad.yaml');
    expect(err.line).toBeGreaterThanOrEqual(3);
    expect(err.message).toMatch(/^bad\.yaml:\d+:\d+: invalid YAML/);
  });

  it('names the line of a confidence out of range', () => {
    const err = reject(withField(GOOD, 'confidence: 0.9', 'confidence: 1.5'));
    expect(err.line).toBe(12);
    expect(err.message).toContain('emits[0].confidence must be <= 1');
  });

  it('names the emit lacking technique_id', () => {
    const err = reject(withField(GOOD, '    technique_id: T1003\n', ''));
    expect(err.line).toBe(9);
    expect(err.message).toContain('emits[0].technique_id is required');
  });

  it('names the line of a pattern Python would reject', () => {
    const err = reject(withField(GOOD, "pattern: '(?i)/etc/shadow\\Z'", "pattern: 'ab(?i)c'"));
    expect(err.line).toBe(7);
    expect(err.message).toMatch(/match\.pattern: global flags not at the start/);
  });

  it('names the line of a pattern that could stall', () => {
    const err = reject(withField(GOOD, "pattern: '(?i)/etc/shadow\\Z'", "pattern: '(a+)+$'"));
    expect(err.line).toBe(7);
    expect(err.message).toMatch(/could stall/);
  });

  it('names an unknown technique and a sub-technique of another parent', () => {
    expect(reject(withField(GOOD, 'technique_id: T1003', 'technique_id: T9999')).message).toMatch(/:10:\d+: technique T9999 is not in ATT&CK v15\.1/);
    expect(reject(withField(GOOD, 'sub_technique_id: T1003.008', 'sub_technique_id: T1110.001')).message).toContain('T1110.001 is not a sub-technique of T1003');
  });

  it('names an unknown source kind, a bad lifter kind and a bad lifter threshold', () => {
    expect(reject(withField(GOOD, 'applies_to: [command]', 'applies_to: [commands]')).line).toBe(4);
    expect(reject(withField(GOOD, '  field: command_text\n', '  kind: regex\n')).message).toContain('match.kind must be "lifter:<name>"');
    const lifter = withField(GOOD, "  field: command_text\n  pattern: '(?i)/etc/shadow\\Z'\n", '  kind: lifter:credential_auth_brute_generic\n  fail_threshold: lots\n');
    const err = reject(lifter);
    expect(err.line).toBe(7);
    expect(err.message).toContain('match.fail_threshold: expected a number >= 1');
  });

  it('rejects a file that is not a mapping', () => {
    expect(reject('- just\n- a list\n').message).toContain('must be a mapping');
  });
});

describe('one bad file does not stop the others', () => {
  let dir: string | undefined;
  afterEach(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
    dir = undefined;
  });

  it('loads the good files of a directory, reports the bad ones, and the engine still tags', () => {
    const root = mkdtempSync(join(tmpdir(), 'ttp-rules-'));
    dir = root;
    for (const f of ['R0013.yaml', 'R0014.yaml', 'R0012.yaml']) copyFileSync(join(UPSTREAM_RULES_DIR, f), join(dir, f));
    writeFileSync(join(dir, 'broken.yaml'), withField(GOOD, 'confidence: 0.9', 'confidence: high'));
    writeFileSync(join(dir, 'evil.yml'), withField(GOOD, "pattern: '(?i)/etc/shadow\\Z'", "pattern: '(a+)+$'").replace('X0001', 'X0002'));
    writeFileSync(join(dir, 'duplicate.yaml'), GOOD.replace('X0001', 'R0013'));
    writeFileSync(join(dir, 'ignored-name.yaml'), 'not: even: yaml: [');
    writeFileSync(join(dir, 'notes.txt'), 'not a rule');
    const report = loadRuleDirectory(dir, attack);
    expect(report.files).toBe(6);
    expect(report.rules.map((r) => r.ruleId)).toEqual(['R0012', 'R0013', 'R0014']);
    expect(report.errors.map((e) => `${e.file.slice(root.length + 1)}:${e.line}`).sort()).toEqual(['broken.yaml:12', 'duplicate.yaml:1', 'evil.yml:7']);
    const engine = new TtpEngine(report.rules, attack);
    const tags = engine.tag({ sourceKind: 'command', sourceId: 's#1', payload: { command_text: 'cat /etc/shadow' } });
    expect(tags.map((t) => t.ruleId)).toEqual(['R0014']);
  });

  it('reports an unreadable directory as one error', () => {
    expect(() => loadRuleDirectory('/nonexistent/rules', attack)).toThrow(/cannot read the rule directory/);
  });
});
