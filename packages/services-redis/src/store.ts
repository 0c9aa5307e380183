// The small keyspace and CONFIG table one Redis service shares between its connections, so an
// attacker who SETs in one connection GETs it in the next. Bounded in keys and bytes; what does
// not fit is refused with Redis's OOM error, never grown into.

/** Most keys held across all databases. */
export const MAX_STORE_KEYS = 1000;
/** Most bytes held across all keys (names and values). */
export const MAX_STORE_BYTES = 4 * 1024 * 1024;
/** Most CONFIG entries (the defaults plus what attackers set). */
export const MAX_CONFIG_ENTRIES = 256;
/** Longest CONFIG parameter name kept (real ones are under 40): 256 names of 64 KiB would hold 16 MiB. */
export const MAX_CONFIG_NAME_CHARS = 128;

/** Keys that look like a lived-in cache, so KEYS * shows something. */
const SEED: readonly (readonly [string, string])[] = [
  ['session:8f14e45fceea167a', '{"uid":17,"role":"user"}'],
  ['cache:homepage', '<html><body>ok</body></html>'],
  ['queue:mail:pending', '0'],
];

/** The CONFIG GET defaults of a stock Redis 7 on Ubuntu. */
const CONFIG_DEFAULTS: readonly (readonly [string, string])[] = [
  ['dir', '/var/lib/redis'],
  ['dbfilename', 'dump.rdb'],
  ['requirepass', ''],
  ['masterauth', ''],
  ['maxmemory', '0'],
  ['maxmemory-policy', 'noeviction'],
  ['save', '3600 1 300 100 60 10000'],
  ['appendonly', 'no'],
  ['bind', '* -::*'],
  ['protected-mode', 'no'],
  ['port', '6379'],
  ['databases', '16'],
  ['timeout', '0'],
  ['loglevel', 'notice'],
  ['logfile', '/var/log/redis/redis-server.log'],
  ['daemonize', 'yes'],
  ['slave-read-only', 'yes'],
  ['replica-read-only', 'yes'],
];

/** Work one glob match may do: KEYS over the whole store stays in the millions of steps. */
const GLOB_MAX_STEPS = 10_000;

/** Redis glob matching (`*`, `?`, `[…]`, `\` escapes), iterative and bounded. */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starP = -1;
  let starT = 0;
  let steps = 0;
  while (t < text.length) {
    if (++steps > GLOB_MAX_STEPS) return false;
    const c = pattern[p];
    if (c === '*') {
      starP = p++;
      starT = t;
      continue;
    }
    let ok = false;
    let width = 1;
    if (c === '?') ok = true;
    else if (c === '[') {
      const close = pattern.indexOf(']', p + 1);
      if (close > p) {
        const set = pattern.slice(p + 1, close);
        const negate = set.startsWith('^');
        const body = negate ? set.slice(1) : set;
        const ch = text[t] ?? '';
        let hit = false;
        for (let i = 0; i < body.length; i++) {
          const lo = body[i] ?? '';
          const hi = body[i + 2] ?? '';
          if (body[i + 1] === '-' && i + 2 < body.length) {
            if (ch >= lo && ch <= hi) hit = true;
            i += 2;
          } else if (lo === ch) hit = true;
        }
        ok = hit !== negate;
        width = close - p + 1;
      } else ok = text[t] === '[';
    } else if (c === '\\' && p + 1 < pattern.length) {
      ok = pattern[p + 1] === text[t];
      width = 2;
    } else ok = c !== undefined && c === text[t];
    if (ok) {
      p += width;
      t++;
    } else if (starP >= 0) {
      p = starP + 1;
      t = ++starT;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** A bounded multi-database string keyspace plus the CONFIG table. */
export class RedisStore {
  private readonly data = new Map<string, Buffer>();
  private readonly config = new Map<string, string>(CONFIG_DEFAULTS);
  private bytes = 0;

  constructor(seed = true) {
    if (seed) for (const [k, v] of SEED) this.set(0, k, Buffer.from(v));
  }

  private static key(db: number, key: string): string {
    return `${db}\0${key}`;
  }

  get(db: number, key: string): Buffer | undefined {
    return this.data.get(RedisStore.key(db, key));
  }

  /** Stores `value`; false when the store is full (the caller replies OOM). */
  set(db: number, key: string, value: Buffer): boolean {
    const k = RedisStore.key(db, key);
    const old = this.data.get(k);
    // Key names count too: 1000 keys named with 64 KiB each would otherwise hold 64 MiB.
    const delta = value.length - (old?.length ?? 0) + (old ? 0 : k.length);
    if ((!old && this.data.size >= MAX_STORE_KEYS) || this.bytes + delta > MAX_STORE_BYTES) return false;
    this.data.set(k, Buffer.from(value));
    this.bytes += delta;
    return true;
  }

  del(db: number, key: string): boolean {
    const k = RedisStore.key(db, key);
    const old = this.data.get(k);
    if (!old) return false;
    this.bytes -= old.length + k.length;
    return this.data.delete(k);
  }

  /** Keys of `db` matching `pattern`, at most `limit`. */
  keys(db: number, pattern: string, limit = MAX_STORE_KEYS): string[] {
    const prefix = `${db}\0`;
    const out: string[] = [];
    for (const k of this.data.keys()) {
      if (!k.startsWith(prefix)) continue;
      const key = k.slice(prefix.length);
      if (globMatch(pattern, key)) out.push(key);
      if (out.length >= limit) break;
    }
    return out;
  }

  size(db: number): number {
    return this.keys(db, '*').length;
  }

  /** Empties `db`, or every database when `db` is null. */
  flush(db: number | null): void {
    for (const [k, v] of [...this.data]) {
      if (db === null || k.startsWith(`${db}\0`)) {
        this.bytes -= v.length + k.length;
        this.data.delete(k);
      }
    }
  }

  /** CONFIG GET: name/value pairs matching `pattern`. */
  configGet(pattern: string): string[] {
    const out: string[] = [];
    for (const [k, v] of this.config) if (globMatch(pattern.toLowerCase(), k)) out.push(k, v);
    return out;
  }

  /** CONFIG SET; false when the table is full or the name is longer than any real parameter's. */
  configSet(name: string, value: string): boolean {
    const k = name.toLowerCase();
    if (k.length > MAX_CONFIG_NAME_CHARS) return false;
    if (!this.config.has(k) && this.config.size >= MAX_CONFIG_ENTRIES) return false;
    this.config.set(k, value.slice(0, 4096));
    return true;
  }
}
