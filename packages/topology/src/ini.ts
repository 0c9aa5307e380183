// A small INI reader with the semantics of Python's configparser as upstream used it:
// `[section]` headers, `key = value` or `key: value`, lower-cased keys, indented continuation
// lines, whole-line `#`/`;` comments, duplicates rejected. Returns typed errors, never throws.

/** Largest INI file accepted (bytes). Upstream's limit; a fleet file is a few KB. */
export const MAX_INI_BYTES = 512 * 1024;

/** One `key = value` line (continuations joined with `\n`). */
export interface IniEntry {
  readonly key: string;
  readonly value: string;
  readonly line: number;
}

/** One `[name]` section with its entries in file order. */
export interface IniSection {
  readonly name: string;
  readonly line: number;
  readonly entries: readonly IniEntry[];
}

/** Outcome of {@link parseIni}. */
export type IniResult = { readonly ok: true; readonly sections: readonly IniSection[] } | { readonly ok: false; readonly line: number; readonly reason: string };

/**
 * Parses INI text. Differences from configparser, on purpose: no `%(name)s` interpolation
 * (values are literal, so a `%` in a password is fine), no `[DEFAULT]` inheritance (rejected),
 * and a blank line ends a multi-line value.
 */
export function parseIni(text: string): IniResult {
  if (Buffer.byteLength(text, 'utf8') > MAX_INI_BYTES) return { ok: false, line: 0, reason: `file is larger than ${MAX_INI_BYTES} bytes` };
  if (text.includes('\u0000')) return { ok: false, line: 0, reason: 'file contains NUL bytes (not a text file)' };
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  const sections: { name: string; line: number; entries: { key: string; value: string; line: number }[] }[] = [];
  const seenSections = new Set<string>();
  let current: (typeof sections)[number] | undefined;
  let lastEntry: { key: string; value: string; line: number } | undefined;
  let seenKeys = new Set<string>();
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const raw = (lines[i] as string).replace(/\s+$/, '');
    const trimmed = raw.trimStart();
    if (trimmed === '') {
      lastEntry = undefined;
      continue;
    }
    if (trimmed.startsWith('#') || trimmed.startsWith(';')) continue;
    if (raw !== trimmed && lastEntry) {
      lastEntry.value = lastEntry.value === '' ? trimmed : `${lastEntry.value}\n${trimmed}`;
      continue;
    }
    if (raw.startsWith('[')) {
      const close = raw.lastIndexOf(']');
      const name = close > 0 ? raw.slice(1, close).trim() : '';
      if (close < 0 || close !== raw.length - 1 || name === '') return { ok: false, line: lineNo, reason: `malformed section header ${JSON.stringify(raw)}` };
      if (name === 'DEFAULT') return { ok: false, line: lineNo, reason: 'the [DEFAULT] section is not supported' };
      if (seenSections.has(name)) return { ok: false, line: lineNo, reason: `duplicate section [${name}]` };
      seenSections.add(name);
      current = { name, line: lineNo, entries: [] };
      sections.push(current);
      seenKeys = new Set();
      lastEntry = undefined;
      continue;
    }
    if (!current) return { ok: false, line: lineNo, reason: 'a key appears before any [section] header' };
    const eq = trimmed.search(/[=:]/);
    if (eq <= 0) return { ok: false, line: lineNo, reason: `expected "key = value", got ${JSON.stringify(trimmed.slice(0, 60))}` };
    const key = trimmed.slice(0, eq).trim().toLowerCase();
    if (key === '') return { ok: false, line: lineNo, reason: 'empty key' };
    if (seenKeys.has(key)) return { ok: false, line: lineNo, reason: `duplicate key "${key}" in [${current.name}]` };
    seenKeys.add(key);
    lastEntry = { key, value: trimmed.slice(eq + 1).trim(), line: lineNo };
    current.entries.push(lastEntry);
  }
  if (sections.length === 0) return { ok: false, line: 0, reason: 'no [section] found' };
  return { ok: true, sections };
}
