// The http bundle under issue 20's attacks: a 1 GiB declared body (Content-Length and chunked)
// streamed on three connections, a slowloris trickle against the header deadline, and 600 idle
// connections from 20 addresses, while curl keeps getting answers.
import {
  MAX_ATTACK_RSS_KB,
  NEWCOMER_DEADLINE_MS,
  duringIdleHorde,
  runClient,
  sampleRss,
  streamAttack,
  trickle,
  useServiceBundle,
  type TrickleReport,
} from '@decnet/decky-kit/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const proc = useServiceBundle({
  slug: 'http',
  portEnv: 'HTTP_PORT',
  clients: ['curl'],
  env: { DECNET_SERVICE_IDLE_TIMEOUT_S: '120' },
});

/** The default header deadline (HTTP_HEADERS_TIMEOUT_S). */
const HEADERS_DEADLINE_MS = 15_000;

let slowloris: Promise<TrickleReport>;
beforeAll(() => {
  // Runs while the other attacks do: one byte of a request head every 5 s.
  slowloris = trickle({
    port: proc.port,
    bytes: Buffer.from('GET /index.html HTTP/1.1\r\nHost: decoy\r\nX-a: b\r\n'),
    intervalMs: 5_000,
    giveUpMs: 60_000,
  });
});

const curl = (path: string) =>
  runClient('curl', [
    '-sS',
    '--max-time',
    '10',
    '-o',
    '/dev/null',
    '-w',
    '%{http_code}',
    `http://127.0.0.1:${proc.port}${path}`,
  ]);

describe('the http bundle bounds memory per request', () => {
  it('reads a 1 GiB declared body streamed on 3 connections under 150 MiB while curl is answered', async () => {
    const rss = sampleRss(proc.pid);
    const lengthHead = Buffer.from(
      'POST /upload HTTP/1.1\r\nHost: decoy\r\nContent-Type: application/octet-stream\r\nContent-Length: 1073741824\r\n\r\n',
    );
    const chunkedHead = Buffer.from(
      'POST /upload HTTP/1.1\r\nHost: decoy\r\nTransfer-Encoding: chunked\r\n\r\n7fffffff\r\n',
    );
    const attacks = Promise.all([
      streamAttack({ port: proc.port, prefix: lengthHead, connections: 2, maxDurationMs: 8_000 }),
      streamAttack({ port: proc.port, prefix: chunkedHead, connections: 1, maxDurationMs: 8_000 }),
    ]);
    await new Promise((r) => setTimeout(r, 500));
    const during = await curl('/');
    const [length, chunked] = await attacks;
    const maxKb = rss.stop();
    console.info(
      `[http attack] 1 GiB bodies: ${((length.bytesSent + chunked.bytesSent) / 1048576).toFixed(0)} MiB sent, max RSS ${(maxKb / 1024).toFixed(1)} MiB`,
    );
    expect(during.stdout).toBe('200');
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
    expect(length.bytesSent + chunked.bytesSent).toBeGreaterThan(256 * 1024 * 1024);
  });
});

describe('the http bundle has real slowloris limits', () => {
  it("cuts a 1-byte-per-5-s request head at the 15 s header deadline (±2 s) with Apache's 408", async () => {
    const r = await slowloris;
    console.info(`[http attack] trickle cut after ${r.closedAfterMs} ms, ${r.bytesTrickled} bytes`);
    expect(r.closedAfterMs).not.toBeNull();
    expect(Math.abs((r.closedAfterMs ?? 0) - HEADERS_DEADLINE_MS)).toBeLessThanOrEqual(2_000);
    expect(r.received).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    const [cut] = await proc.events.waitFor(
      (e) => e.type === 'deadline_exceeded' && e.fields['deadline'] === 'headers',
    );
    expect(cut?.fields).toMatchObject({ limit_s: '15.000', src_ip: '127.0.0.1' });
  });
});

describe('the http bundle stays fair under an idle horde', () => {
  it('answers curl from a new address within 5 s while 600 idle connections from 20 addresses hold it', async () => {
    const r = await duringIdleHorde(proc.port, () => curl('/admin/'));
    console.info(`[http attack] horde: ${r.opened} opened, ${r.stillOpen} still open, answered in ${r.ms} ms`);
    expect(r.result.stdout).toBe('401');
    expect(r.ms).toBeLessThan(NEWCOMER_DEADLINE_MS);
    // At least the 88 connections beyond the 512 cap were shed to make room (events come through stdout).
    await proc.events.waitFor(
      (e) => e.type === 'connection_shed' && /_limit$/.test(e.fields['reason'] ?? ''),
      600 - 512,
    );
    expect(proc.events.bad).toEqual([]);
  });
});
