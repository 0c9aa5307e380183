// Test kit of the CLI's own tests: a CommandIO that captures what a command prints, polling
// until a condition holds, and the RFC 5424 events `decnet service|decky run` write to stdout.
import { parseSyslog } from '@decnet/syslog';
import type { CommandIO } from './io.js';

/** A CommandIO whose stdout and stderr accumulate in `out` and `err`. */
export function captureIO(env: Record<string, string | undefined> = {}): CommandIO & { out: string; err: string } {
  const io = { out: '', err: '', env, stdout: (t: string) => void (io.out += t), stderr: (t: string) => void (io.err += t) };
  return io;
}

/** A CommandIO whose stdout and stderr so far are returned by `out()` and `err()`. */
export function captureIOReaders(env: Record<string, string | undefined> = {}): CommandIO & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return { stdout: (t) => (out += t), stderr: (t) => (err += t), env, out: () => out, err: () => err };
}

/** Polls `fn` every 20 ms until it returns a value. @throws after `ms`. */
export async function until<T>(fn: () => T | undefined, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The service events among `out`'s lines. @throws on a syslog line that does not parse. */
export function syslogEvents(out: string): { host: string | null; app: string | null; type: string | null; params: Record<string, string> }[] {
  return out
    .split('\n')
    .filter((l) => l.startsWith('<'))
    .map((l) => {
      const r = parseSyslog(l);
      if (!r.ok) throw new Error(`unparsable line: ${l}`);
      return { host: r.message.hostname, app: r.message.appName, type: r.message.msgId, params: r.message.structuredData[0]?.params ?? {} };
    });
}
