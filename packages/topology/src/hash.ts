// The topology hash master and agents compare: SHA-256 of canonical JSON with volatile keys
// removed. Canonical JSON here reproduces Python's json.dumps(sort_keys=True,
// separators=(",", ":")) byte for byte, so TypeScript and Python agents agree on the hash.
import { createHash } from 'node:crypto';

/** Keys removed at every depth before hashing: they change without the topology changing. */
export const VOLATILE_KEYS: ReadonlySet<string> = new Set([
  'created_at',
  'status_changed_at',
  'updated_at',
  'last_seen',
  'status',
  'version',
  'last_error',
  'x',
  'y',
  'w',
  'h',
]);

/**
 * Keys whose numbers are floats on the Python side, so they render as `1.0`, not `1`
 * (JavaScript cannot tell 1.0 from 1 by value).
 */
export const FLOAT_KEYS: ReadonlySet<string> = new Set(['bridge_forward_probability', 'cross_edge_probability', 'x', 'y', 'w', 'h']);

/** A deep copy of `value` without {@link VOLATILE_KEYS}; the input is not modified. */
export function stripVolatile(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stripVolatile);
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (!VOLATILE_KEYS.has(k)) out[k] = stripVolatile(v);
    return out;
  }
  return value;
}

/** Python's `repr(float)`: shortest round-trip digits, `1.0` for integral values, `1e-05` style exponents. */
export function pythonFloatRepr(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const sign = n < 0 ? '-' : '';
  const [mant, expText] = Math.abs(n).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
}

/** A JSON string literal as Python writes it with ensure_ascii: every non-printable-ASCII char escaped. */
export function pythonJsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c >= 0x20 && c <= 0x7e) out += s[i];
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c === 0x08) out += '\\b';
    else if (c === 0x0c) out += '\\f';
    else out += `\\u${c.toString(16).padStart(4, '0')}`;
  }
  return out + '"';
}

/** Orders strings by Unicode code point, as Python sorts `str`. */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number;
    const y = b.codePointAt(i) as number;
    if (x !== y) return x - y;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function encode(value: unknown, key: string | null, floatKeys: ReadonlySet<string>): string {
  if (value === null || value === undefined) return 'null';
  if (value === true) return 'true';
  if (value === false) return 'false';
  if (typeof value === 'number') {
    return !Number.isFinite(value) || !Number.isInteger(value) || (key !== null && floatKeys.has(key)) ? pythonFloatRepr(value) : String(value);
  }
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'string') return pythonJsonString(value);
  if (value instanceof Date) return pythonJsonString(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => encode(v, key, floatKeys)).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => compareCodePoints(a, b));
    return `{${entries.map(([k, v]) => `${pythonJsonString(k)}:${encode(v, k, floatKeys)}`).join(',')}}`;
  }
  return pythonJsonString(String(value));
}

/**
 * Canonical JSON: keys sorted by code point, no spaces, ASCII-only escapes, Python float
 * formatting for numbers under `floatKeys` (and for every non-integer).
 */
export function canonicalJson(value: unknown, floatKeys: ReadonlySet<string> = FLOAT_KEYS): string {
  return encode(value, null, floatKeys);
}

/** SHA-256 (hex) of the canonical JSON of `value` without volatile keys. Does not modify `value`. */
export function canonicalHash(value: unknown): string {
  return createHash('sha256').update(canonicalJson(stripVolatile(value)), 'utf8').digest('hex');
}
