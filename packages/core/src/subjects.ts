// Subject grammar and matching. Subjects are dot-separated tokens; patterns add `*`
// (exactly one token) and `>` (one or more trailing tokens). The subjects themselves, with their
// builders and payloads, are in the event catalogue (events/catalogue.ts).
import { InvalidSubjectError } from './errors.js';

/** Characters a single token may never contain. */
const FORBIDDEN_IN_TOKEN = /[.*>\s]/;
/** Characters no token of a dotted subject or leaf may contain (the dots are split off first). */
const FORBIDDEN_IN_PART = /[*>\s]/;

/**
 * Checks that `segment` can stand as one token of a subject.
 * @throws InvalidSubjectError when it is empty or contains `.`, `*`, `>` or whitespace.
 */
export function assertToken(segment: string): string {
  if (segment.length === 0) throw new InvalidSubjectError(segment, 'empty token');
  if (FORBIDDEN_IN_TOKEN.test(segment)) throw new InvalidSubjectError(segment, 'token contains . * > or whitespace');
  return segment;
}

/**
 * Checks that `leaf` can close a subject: one or more tokens, none empty, no wildcards.
 * Upstream lets leaves such as `session.ended` span several tokens.
 */
export function assertLeaf(leaf: string): string {
  if (leaf.length === 0) throw new InvalidSubjectError(leaf, 'empty leaf');
  // The same as checking each dot-separated token (none empty, none holding a wildcard or
  // whitespace) without splitting: every publish and every consumed record comes through here.
  if (FORBIDDEN_IN_PART.test(leaf) || leaf.startsWith('.') || leaf.endsWith('.') || leaf.includes('..')) {
    throw new InvalidSubjectError(leaf, 'malformed leaf');
  }
  return leaf;
}

/**
 * Validates a concrete subject (no wildcards).
 * @throws InvalidSubjectError
 */
export function assertSubject(subject: string): string {
  return assertLeaf(subject);
}

/**
 * Validates a subscription pattern: tokens, `*` anywhere, `>` only as the last token.
 * @throws InvalidSubjectError
 */
export function assertPattern(pattern: string): string {
  const tokens = pattern.split('.');
  tokens.forEach((token, i) => {
    if (token === '*') return;
    if (token === '>') {
      if (i !== tokens.length - 1) throw new InvalidSubjectError(pattern, '`>` must be the last token');
      return;
    }
    if (token.length === 0 || FORBIDDEN_IN_PART.test(token)) throw new InvalidSubjectError(pattern, 'malformed token');
  });
  return pattern;
}

/**
 * True when `subject` matches `pattern`. `*` matches exactly one non-empty token;
 * `>` matches one or more trailing tokens, so `ttp.>` does not match `ttp`.
 */
export function matchSubject(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    const token = p[i];
    if (token === '>') return s.length > i;
    const actual = s[i];
    if (actual === undefined || actual.length === 0) return false;
    if (token !== '*' && token !== actual) return false;
  }
  return p.length === s.length;
}

/** The first token of a subject or pattern; `undefined` when the pattern starts with a wildcard. */
export function subjectRoot(subjectOrPattern: string): string | undefined {
  const root = subjectOrPattern.split('.', 1)[0];
  return root === '*' || root === '>' ? undefined : root;
}
