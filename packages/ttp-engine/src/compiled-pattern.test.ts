// The backtracking guard: exponential shapes are refused at compile time with a reason, every
// upstream pattern is accepted, and long or adversarial input runs through the linear matcher,
// so matching always finishes (vitest's timeout is the liveness bound; nothing here is timed).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { CompiledPattern, MAX_MATCH_INPUT_CHARS } from './compiled-pattern.js';
import { UnsafePatternError } from './errors.js';
import { parsePythonRegex } from './python-regex.js';
import { assertSafePattern, backtrackDegree } from './regex-safety.js';
import { UPSTREAM_RULES_DIR, upstreamRuleFiles } from './test-kit.fixture.js';

const EVIL = ['(a+)+$', '(a|a)*b', '(a*)*b', '(x+x+)+y', '(?:\\w+\\s?)+$', '(.*a){12}', '(a|ab)*c', '(?:a?){20}a{20}', '(\\d+|\\w+)+!'];

function upstreamPatterns(): { id: string; pattern: string }[] {
  return upstreamRuleFiles().flatMap((file) => {
    const doc = parse(readFileSync(join(UPSTREAM_RULES_DIR, file), 'utf8')) as { rule_id: string; match: Record<string, unknown> };
    const out: { id: string; pattern: string }[] = [];
    if (typeof doc.match.pattern === 'string') out.push({ id: doc.rule_id, pattern: doc.match.pattern });
    for (const key of ['patterns', 'paths', 'filename_patterns']) {
      const list = doc.match[key];
      if (Array.isArray(list)) for (const p of list) out.push({ id: `${doc.rule_id}.${key}`, pattern: String(p) });
    }
    return out;
  });
}

describe('patterns that could backtrack exponentially are refused at compile time', () => {
  it.each(EVIL)('refuses %j with UnsafePatternError', (pattern) => {
    expect(() => CompiledPattern.compile(pattern)).toThrow(UnsafePatternError);
  });

  it('explains why', () => {
    expect(() => assertSafePattern(parsePythonRegex('(a+)+$'))).toThrow(/repeated element can hand characters/);
    expect(() => assertSafePattern(parsePythonRegex('(a|a)*'))).toThrow(/two branches .* can match the same text/);
    expect(() => assertSafePattern(parsePythonRegex('(a*)*b'))).toThrow(/empty string/);
  });

  it('accepts unambiguous repetitions: disjoint neighbours, prefix-code alternations, fixed bodies', () => {
    for (const p of ['(?:-\\S+\\s+)*x', '(?i)(?:\\.\\./|%2e%2e/|\\.\\.%2f){2,}', '(?:ab)+c', '(?i)(?:ab|cd)+', '(?:[^|;\\s]+\\s+)*https?://']) {
      expect(() => CompiledPattern.compile(p), p).not.toThrow();
    }
  });

  it('accepts every pattern of the upstream rules', () => {
    const patterns = upstreamPatterns();
    expect(patterns.length).toBeGreaterThan(30);
    for (const { id, pattern } of patterns) expect(() => CompiledPattern.compile(pattern), id).not.toThrow();
  });
});

describe('no input can stall matching', () => {
  it("refuses (a+)+$ outright, while its unambiguous equivalent answers at once on 'aaaa…!'", () => {
    expect(() => CompiledPattern.compile('(a+)+$')).toThrow(UnsafePatternError);
    const safe = CompiledPattern.compile('a+$');
    expect(safe.test(`${'a'.repeat(10_000)}!`)).toBe(false);
    expect(safe.test('a'.repeat(10_000))).toBe(true);
  });

  it('runs high-degree polynomial patterns on V8 only for short inputs, the linear matcher beyond', () => {
    const poly = CompiledPattern.compile('.*.*.*.*.*.*=');
    expect(backtrackDegree(poly.parsed)).toBeGreaterThanOrEqual(6);
    expect(poly.fastPathMaxChars).toBeLessThan(16);
    expect(poly.test('a'.repeat(5_000))).toBe(false);
    expect(poly.test(`${'a'.repeat(5_000)}=`)).toBe(true);
    expect(poly.linearRuns).toBe(2);
    expect(poly.test('a=')).toBe(true);
    expect(poly.fastRuns).toBe(1);
  });

  it('finishes the webshell rule (cubic on V8) on adversarial input of the maximum length', () => {
    const webshell = upstreamPatterns().find((p) => p.id === 'R0027');
    expect(webshell).toBeDefined();
    const compiled = CompiledPattern.compile((webshell as { pattern: string }).pattern);
    const adversarial = `echo ${'system(> '.repeat(MAX_MATCH_INPUT_CHARS / 9)}`;
    expect(compiled.test(adversarial)).toBe(false);
    expect(compiled.test(`echo '<?php system($_GET[c]); ?>' > /var/www/html/${'x'.repeat(400)}.php`)).toBe(true);
  });

  it('matches only the first MAX_MATCH_INPUT_CHARS characters', () => {
    const p = CompiledPattern.compile('needle');
    expect(p.test(`${'x'.repeat(MAX_MATCH_INPUT_CHARS - 6)}needle`)).toBe(true);
    expect(p.test(`${'x'.repeat(MAX_MATCH_INPUT_CHARS)}needle`)).toBe(false);
  });

  it('never splits a surrogate pair when cutting', () => {
    const p = CompiledPattern.compile('\\U0001F600$');
    expect(p.test(`${'x'.repeat(MAX_MATCH_INPUT_CHARS - 2)}\u{1F600}`)).toBe(true);
    expect(p.test(`${'x'.repeat(MAX_MATCH_INPUT_CHARS - 1)}\u{1F600}`)).toBe(false);
  });
});
