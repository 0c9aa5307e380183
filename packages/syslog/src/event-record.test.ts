// Golden lines (reference/ingestion.md §2.2, §5 and the §2.4 regressions) through the one
// parser into the event record, plus the record rules §6 lists for the collector.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseEventRecord, toEventRecord } from './event-record.js';
import { parseSyslog } from './parse.js';
import { formatCompactUtc, formatIsoUtc } from './timestamp.js';

interface Golden {
  records: { name: string; line: string; expect: Record<string, unknown> }[];
  rejects: { name: string; line: string; code: string }[];
}

const golden = JSON.parse(readFileSync(new URL('./fixtures/golden-lines.json', import.meta.url), 'utf8')) as Golden;

describe('golden lines produce the expected event records', () => {
  it.each(golden.records)('$name', ({ line, expect: expected }) => {
    const result = parseEventRecord(line);
    if (!result.ok) throw new Error(`did not parse: ${result.error.code}`);
    const { fields, command, ...rest } = expected;
    expect(result.record).toMatchObject(rest);
    if (fields !== undefined) expect(result.record.fields).toEqual(fields);
    if (command !== undefined) expect(result.record.command).toEqual(command);
    expect(result.record.raw_line).toBe(line);
  });

  it.each(golden.rejects)('rejects $name with code $code', ({ line, code }) => {
    const result = parseEventRecord(line);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.code).toBe(code);
  });
});

describe('the record keeps upstream output semantics', () => {
  it('is JSON-serialisable and keeps raw_line exactly', () => {
    const line =
      '<134>1 2024-01-15T12:00:00+00:00 decky-01 http - request [relay@55555 src_ip="1.2.3.4" note="é ☃ \\"q\\""] tail  ';
    const result = parseEventRecord(line);
    if (!result.ok) throw new Error('did not parse');
    const copy = JSON.parse(JSON.stringify(result.record)) as Record<string, unknown>;
    expect(copy).toEqual(result.record);
    expect(copy['raw_line']).toBe(line);
  });

  it('accepts both a real PID and a NIL PROCID', () => {
    const withPid = parseEventRecord('<38>1 2026-04-27T03:08:48+00:00 host sshd 940 - - text');
    const nil = parseEventRecord('<38>1 2026-04-27T03:08:48+00:00 host sshd - - - text');
    expect(withPid.ok && nil.ok).toBe(true);
  });

  it('unwraps only when the outer MSGID is NIL and there is no outer SD element', () => {
    const inner = '2026-05-02T06:22:48+00:00 SRV bash - command - CMD uid=0 src=192.0.2.1 cmd=id';
    const unwrapped = parseEventRecord(`<14>1 2026-05-02T06:22:48+00:00 outer 1 - - - ${inner}`);
    const withSd = parseEventRecord(`<14>1 2026-05-02T06:22:48+00:00 outer 1 - - [x a="b"] ${inner}`);
    expect(unwrapped.ok && unwrapped.record.decky).toBe('SRV');
    expect(withSd.ok && withSd.record.decky).toBe('outer');
  });

  it('leaves the outer header alone when the inner text only looks like a date', () => {
    const result = parseEventRecord('<14>1 2026-05-02T06:22:48+00:00 outer 1 - - - 2026-05-02T broken');
    expect(result.ok && result.record.decky).toBe('outer');
    expect(result.ok && result.record.msg).toBe('2026-05-02T broken');
  });

  it('copies remote_port only when the emitter did not send one', () => {
    const result = parseEventRecord(
      '<134>1 2026-05-02T06:00:25Z d http - request [relay@55555 remote_addr="192.0.2.1:80" remote_port="81"]',
    );
    expect(result.ok && result.record.fields).toEqual({ remote_addr: '192.0.2.1:80', remote_port: '81' });
  });

  it('reports NILVALUE header fields as -', () => {
    const result = parseEventRecord('<134>1 - - - - - -');
    expect(result.ok && result.record).toMatchObject({
      timestamp: '-',
      time: null,
      decky: '-',
      service: '-',
      event_type: '-',
      msg: '',
    });
  });

  it('uses only the first relay@55555 element for fields', () => {
    const result = parseEventRecord(
      '<134>1 2026-05-02T06:00:25Z d s - e [other a="1"][relay@55555 b="2"][relay@55555 c="3"]',
    );
    expect(result.ok && result.record.fields).toEqual({ b: '2' });
  });

  it('marks replaced invalid UTF-8 on the message while still producing a record', () => {
    const bytes = new TextEncoder().encode(
      '<134>1 2026-05-02T06:00:25Z d ftp - auth_attempt [relay@55555 secret_printable="ab"]',
    );
    const bad = new Uint8Array([...bytes.subarray(0, bytes.length - 3), 0xff, ...bytes.subarray(bytes.length - 3)]);
    const result = parseEventRecord(bad);
    expect(result.ok && result.message.invalidUtf8).toBe(true);
    expect(result.ok && result.record.fields['secret_printable']).toBe('a\uFFFDb');
  });
});

describe('bash CMD lines are parsed into their parts', () => {
  it('keeps the spaces of the command', () => {
    expect(parseCommandLine('CMD uid=0 user=root src=1.2.3.4 pwd=/ cmd=echo  "a  b"')).toEqual({
      uid: '0',
      user: 'root',
      src: '1.2.3.4',
      pwd: '/',
      command: 'echo  "a  b"',
    });
  });

  it('takes what follows the known keys when there is no cmd=', () => {
    expect(parseCommandLine('CMD uid=0 ls -la')).toEqual({ uid: '0', command: 'ls -la' });
  });

  it('returns null for other text', () => {
    expect(parseCommandLine('COMMAND x')).toBeNull();
  });

  it('fills command only for a NIL or command MSGID', () => {
    const parsed = parseSyslog('<14>1 2026-05-02T06:00:25Z d bash - other - CMD uid=0 cmd=id');
    if (!parsed.ok) throw new Error('did not parse');
    const record = toEventRecord(parsed.message, parsed.line);
    expect(record.event_type).toBe('other');
    expect(record.command).toBeNull();
  });
});

describe('record timestamps agree with the parsed instant whatever the offset notation', () => {
  it('gives the compact and ISO forms of the same instant', () => {
    const zone = fc.constantFrom('Z', '+00:00', '-00:00', '', '+02:00', '-07:30', '+14:00');
    const fraction = fc.constantFrom('', '.1', '.12', '.123', '.1234', '.123456', '.999999999');
    fc.assert(
      fc.property(
        fc.date({ min: new Date('0001-01-02T00:00:00Z'), max: new Date('9999-12-30T00:00:00Z'), noInvalidDate: true }),
        fraction,
        zone,
        (date, frac, tz) => {
          const token = `${formatIsoUtc(date).slice(0, 19)}${frac}${tz}`;
          const result = parseEventRecord(`<134>1 ${token} d s - e -`);
          if (!result.ok || !result.message.date) throw new Error(`did not parse ${token}`);
          expect(result.record.time).toBe(formatIsoUtc(result.message.date));
          expect(result.record.timestamp).toBe(formatCompactUtc(result.message.date));
        },
      ),
      { numRuns: 500 },
    );
  });
});
