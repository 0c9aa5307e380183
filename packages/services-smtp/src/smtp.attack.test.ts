// The SMTP bundle under issue 20's attacks: 1 GiB streamed into DATA and after a BDAT with a
// 1 GiB chunk size (CHUNKING is not offered) on three connections, trickles against the command
// and DATA deadlines, and 600 idle connections from 20 addresses, while curl delivers mail.
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

/** Shortened from the defaults (60 s and 300 s) so the trickles finish quickly. */
const COMMAND_DEADLINE_S = 8;
const DATA_DEADLINE_S = 10;

const proc = useServiceBundle({
  slug: 'smtp',
  portEnv: 'SMTP_PORT',
  clients: ['curl'],
  env: {
    DECNET_SERVICE_IDLE_TIMEOUT_S: '120',
    SMTP_COMMAND_TIMEOUT_S: String(COMMAND_DEADLINE_S),
    SMTP_DATA_TIMEOUT_S: String(DATA_DEADLINE_S),
  },
});

let commandTrickle: Promise<TrickleReport>;
let dataTrickle: Promise<TrickleReport>;
beforeAll(() => {
  commandTrickle = trickle({
    port: proc.port,
    waitFor: '220 ',
    bytes: Buffer.from('EHLO slow.example.org\r\n'),
    intervalMs: 5_000,
    giveUpMs: 60_000,
  });
  dataTrickle = trickle({
    port: proc.port,
    waitFor: '220 ',
    preamble: Buffer.from(
      'EHLO slow.example.org\r\nMAIL FROM:<a@slow.example.org>\r\nRCPT TO:<b@decoy.example>\r\nDATA\r\n',
    ),
    bytes: Buffer.from('Subject: never ending\r\n\r\nline\r\n'),
    intervalMs: 5_000,
    giveUpMs: 60_000,
  });
});

const send = (subject: string) =>
  runClient(
    'curl',
    [
      '-sS',
      '--max-time',
      '10',
      `smtp://127.0.0.1:${proc.port}`,
      '--mail-from',
      'a@b.example',
      '--mail-rcpt',
      'd@e.example',
      '--upload-file',
      '-',
    ],
    {
      input: `Subject: ${subject}\r\n\r\nbody\r\n`,
    },
  );

describe('the SMTP bundle bounds memory per connection', () => {
  it('holds 1 GiB streamed into DATA and after BDAT on 3 connections under 150 MiB while curl delivers', async () => {
    const rss = sampleRss(proc.pid);
    const attacks = Promise.all([
      streamAttack({
        port: proc.port,
        prefix: Buffer.from('EHLO x\r\nMAIL FROM:<a@x.example>\r\nRCPT TO:<b@y.example>\r\nDATA\r\n'),
        connections: 2,
        maxDurationMs: 6_000,
      }),
      streamAttack({
        port: proc.port,
        prefix: Buffer.from('EHLO x\r\nBDAT 1073741824 LAST\r\n'),
        connections: 1,
        maxDurationMs: 6_000,
      }),
    ]);
    await new Promise((r) => setTimeout(r, 500));
    const during = await send('during attack');
    const [data, bdat] = await attacks;
    const maxKb = rss.stop();
    console.info(
      `[smtp attack] DATA ${(data.bytesSent / 1048576).toFixed(0)} MiB, BDAT ${(bdat.bytesSent / 1048576).toFixed(0)} MiB sent, max RSS ${(maxKb / 1024).toFixed(1)} MiB`,
    );
    expect(during.code).toBe(0);
    await proc.events.waitFor((e) => e.type === 'message_stored' && e.fields['subject'] === 'during attack');
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
    expect(proc.events.ofType('unknown_command').some((e) => e.fields['command']?.startsWith('BDAT'))).toBe(true);
  });
});

describe('the SMTP bundle has wall-clock command and DATA deadlines', () => {
  it('cuts a 1-byte-per-5-s command line at the command deadline (±2 s) with 421', async () => {
    const r = await commandTrickle;
    console.info(`[smtp attack] command trickle cut after ${r.closedAfterMs} ms`);
    expect(Math.abs((r.closedAfterMs ?? Infinity) - COMMAND_DEADLINE_S * 1000)).toBeLessThanOrEqual(2_000);
    expect(r.received).toMatch(/421 4\.4\.2 \S+ Error: timeout exceeded\r\n$/);
    await proc.events.waitFor((e) => e.type === 'deadline_exceeded' && e.fields['deadline'] === 'command');
  });

  it('cuts a 1-byte-per-5-s message at the DATA deadline (±2 s) with 421', async () => {
    const r = await dataTrickle;
    console.info(`[smtp attack] DATA trickle cut after ${r.closedAfterMs} ms`);
    expect(Math.abs((r.closedAfterMs ?? Infinity) - DATA_DEADLINE_S * 1000)).toBeLessThanOrEqual(2_000);
    expect(r.received).toContain('354 End data');
    expect(r.received).toMatch(/421 4\.4\.2 \S+ Error: timeout exceeded\r\n$/);
    await proc.events.waitFor((e) => e.type === 'deadline_exceeded' && e.fields['deadline'] === 'data');
  });
});

describe('the SMTP bundle stays fair under an idle horde', () => {
  it("delivers curl's mail from a new address within 5 s while 600 idle connections from 20 addresses hold it", async () => {
    const r = await duringIdleHorde(proc.port, () => send('during horde'));
    console.info(`[smtp attack] horde: ${r.opened} opened, ${r.stillOpen} still open, delivered in ${r.ms} ms`);
    expect(r.result.code).toBe(0);
    expect(r.ms).toBeLessThan(NEWCOMER_DEADLINE_MS);
    // At least the 88 connections beyond the 512 cap were shed to make room (events come through stdout).
    await proc.events.waitFor(
      (e) => e.type === 'connection_shed' && /_limit$/.test(e.fields['reason'] ?? ''),
      600 - 512,
    );
    expect(proc.events.bad).toEqual([]);
  });
});
