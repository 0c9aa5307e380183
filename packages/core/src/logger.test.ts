// The diagnostics logger's two layouts: JSON lines for machines, short lines for people, and
// the pretty layout never lets attacker text in metadata drive a terminal.
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, formatPrettyLine } from './logger.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Logs through a file descriptor (never a TTY) and returns what was written. */
function capture(format: 'json' | 'pretty' | undefined, write: (log: ReturnType<typeof createLogger>) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'logger-test-'));
  dirs.push(dir);
  const file = join(dir, 'out.log');
  const fd = openSync(file, 'w');
  write(createLogger({ fd, name: 'up', ...(format ? { format } : {}) }));
  closeSync(fd);
  return readFileSync(file, 'utf8');
}

describe('createLogger', () => {
  it('writes JSON lines when the output is not a terminal', () => {
    const out = capture(undefined, (log) => log.child({ worker: 'ingester' }).info('ingester started', { batch: 500 }));
    const record = JSON.parse(out) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 30, name: 'up', worker: 'ingester', msg: 'ingester started', batch: 500 });
  });

  it('writes one short line per event in the pretty layout', () => {
    const out = capture('pretty', (log) => log.child({ worker: 'ttp' }).warn('rule directory unreadable', { dir: '/x y' }));
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} up\/ttp WARN {2}rule directory unreadable dir="\/x y"\n$/);
  });
});

describe('formatPrettyLine', () => {
  it('escapes controls, escape sequences and line separators found in metadata', () => {
    const line = formatPrettyLine(
      JSON.stringify({ level: 30, time: 0, msg: 'login', user: 'root\u001b[2J\r\nfake 00:00:00 INFO', path: 'a\u2028b\u0085c' }),
    );
    expect(line.split('\n')).toHaveLength(2);
    // eslint-disable-next-line no-control-regex
    expect(line).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/);
    expect(line).toContain('user="root\\u001b[2J\\r\\nfake 00:00:00 INFO"');
  });

  it('passes a line that is not JSON through unchanged', () => {
    expect(formatPrettyLine('not json')).toBe('not json\n');
  });
});
