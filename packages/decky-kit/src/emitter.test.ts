import fc from 'fast-check';
import { decodeEventRecord, decodeEventText, parseEventRecord, parseSyslog } from '@decnet/syslog';
import { describe, expect, it } from 'vitest';
import { credentialFields } from './credentials.js';
import { MAX_LINE_BYTES, createServiceEmitter } from './emitter.js';
import { createMemorySink } from './sink.js';

const CONN = { srcIp: '198.51.100.7', srcPort: 40123, dstIp: '10.0.0.2', dstPort: 22 };
const FIXED = new Date('2026-05-02T06:00:25.453Z');

function setup() {
  const sink = createMemorySink();
  const emitter = createServiceEmitter({ decky: 'decky-01', service: 'ssh', sink, now: () => FIXED, newSessionId: () => 'abcdef0123456789' });
  return { sink, emitter };
}

function parsed(line: string) {
  const r = parseSyslog(line);
  if (!r.ok) throw new Error(r.error.code);
  return r.message;
}

describe('session identity is stamped once and is authoritative', () => {
  it('writes decky as HOSTNAME, service as APP-NAME and the connection as sid/src/dst params', () => {
    const { sink, emitter } = setup();
    emitter.openSession(CONN).emit('connect');
    const m = parsed(sink.lines[0] as string);
    expect(m.hostname).toBe('decky-01');
    expect(m.appName).toBe('ssh');
    expect(m.msgId).toBe('connect');
    expect(m.procId).toBeNull();
    expect(m.pri).toBe(134);
    expect(m.structuredData[0]?.params).toEqual({ sid: 'abcdef0123456789', src_ip: '198.51.100.7', src_port: '40123', dst_ip: '10.0.0.2', dst_port: '22' });
  });

  it('keeps an attempted override of an identity key as claimed_<key> and never replaces the bound value', () => {
    const { sink, emitter } = setup();
    emitter.openSession(CONN).emit('auth_attempt', { src_ip: '6.6.6.6', sid: 'forged', username: 'root' });
    const params = parsed(sink.lines[0] as string).structuredData[0]?.params ?? {};
    expect(params['src_ip']).toBe('198.51.100.7');
    expect(params['sid']).toBe('abcdef0123456789');
    expect(params['claimed_src_ip']).toBe('6.6.6.6');
    expect(params['claimed_sid']).toBe('forged');
    expect(params['username']).toBe('root');
  });

  it('gives the collector the bound source address as attacker_ip', () => {
    const { sink, emitter } = setup();
    emitter.openSession(CONN).emit('command', { cmd: 'ls', src: '9.9.9.9' });
    const r = parseEventRecord(sink.lines[0] as string);
    expect(r.ok && r.record.attacker_ip).toBe('198.51.100.7');
  });

  it('marks events emitted after close with late="true"', () => {
    const { sink, emitter } = setup();
    const s = emitter.openSession(CONN);
    s.emit('connect');
    s.close();
    s.emit('session_recorded', { bytes: 3 });
    expect(parsed(sink.lines[0] as string).structuredData[0]?.params['late']).toBeUndefined();
    expect(parsed(sink.lines[1] as string).structuredData[0]?.params['late']).toBe('true');
    expect(emitter.stats().late).toBe(1);
  });

  it('gives each session its own random id by default', () => {
    const sink = createMemorySink();
    const e = createServiceEmitter({ decky: 'd', service: 'telnet', sink });
    const a = e.openSession(CONN).identity.sid;
    const b = e.openSession(CONN).identity.sid;
    expect(a).toMatch(/^[0-9a-f]{16}$/);
    expect(a).not.toBe(b);
  });
});

describe('every event is exactly one parseable line', () => {
  it('escapes line breaks and control characters in values and MSG', () => {
    const { sink, emitter } = setup();
    emitter.openSession(CONN).emit('command', { cmd: 'echo a\nrm -rf /\r\x00\x1b]' }, { msg: 'two\nlines' });
    expect(sink.lines).toHaveLength(1);
    const line = sink.lines[0] as string;
    for (const c of ['\n', '\r', '\0']) expect(line.includes(c)).toBe(false);
    const m = parsed(line);
    expect(m.structuredData[0]?.params['cmd']).toBe('echo a\\nrm -rf /\\r\\x00\\x1b]');
    expect(m.msg).toBe('two\\nlines');
    expect(decodeEventText(m.structuredData[0]?.params['cmd'] ?? '')).toBe('echo a\nrm -rf /\r\x00\x1b]');
  });

  it('round-trips a credential with quotes, backslashes and brackets through the parser', () => {
    const { sink, emitter } = setup();
    const secret = 'p"a\\s]s\u00e9';
    emitter.openSession(CONN).emit('auth_attempt', { username: 'root', ...credentialFields(secret, { principal: 'root', outcome: 'failure' }) });
    const parsedLine = parseEventRecord(sink.lines[0] as string);
    if (!parsedLine.ok) throw new Error('unparsed');
    const r = { record: decodeEventRecord(parsedLine.record) };
    expect(Buffer.from(r.record.fields['secret_b64'] as string, 'base64').toString('utf8')).toBe(secret);
    expect(r.record.fields['secret_printable']).toBe('p"a\\s]s??');
    expect(r.record.fields['principal']).toBe('root');
    expect(r.record.fields['secret_kind']).toBe('plaintext');
    expect(r.record.fields['outcome']).toBe('failure');
  });

  it('cuts the largest values so a line stays under the collector frame cap, and says which', () => {
    const { sink, emitter } = setup();
    emitter.openSession(CONN).emit('session_recorded', { transcript: 'x'.repeat(32_000), body: 'y'.repeat(31_000), user: 'root' });
    const line = sink.lines[0] as string;
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(MAX_LINE_BYTES);
    const params = parsed(line).structuredData[0]?.params ?? {};
    expect(params['truncated_fields']).toBeDefined();
    expect(params['user']).toBe('root');
    expect(params['src_ip']).toBe('198.51.100.7');
  });

  it('leaves null and undefined fields out and writes numbers and booleans as text', () => {
    const { sink, emitter } = setup();
    emitter.emit('startup', { port: 2222, bind: undefined, version: null, ok: true } as never);
    const params = parsed(sink.lines[0] as string).structuredData[0]?.params ?? {};
    expect(params).toEqual({ port: '2222', ok: 'true' });
  });
});

/** Python's str.splitlines() boundaries, built from code points (a literal would be a control-character regex). */
const SPLITLINES = new RegExp(`\r\n|[${String.fromCharCode(0x0a, 0x0d, 0x0b, 0x0c, 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029)}]`);

/** How readers split text into lines: newline framing, CRLF, Python's str.splitlines(), JS/JSON's U+2028. */
const LINE_SPLITTERS: readonly [string, (text: string) => string[]][] = [
  ['LF', (t) => t.split('\n')],
  ['CRLF', (t) => t.split('\r\n')],
  // str.splitlines() boundaries: \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029
  ['splitlines', (t) => t.split(SPLITLINES)],
  ['U+2028', (t) => t.split(/[\u2028\u2029]/)],
];

/** Any UTF-16 text (lone surrogates included), any code points, and random bytes read as Latin-1 (as the http decoy reads headers) and UTF-8. */
const attackerText = fc.oneof(
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b).toString('latin1')),
  fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b).toString('utf8')),
);

describe('every emitted event is one line for any reader and decodes back to what the service passed', () => {
  it('holds for random Unicode and bytes in params and MSG, identity spoofing included', () => {
    fc.assert(
      fc.property(attackerText, attackerText, attackerText, (cmd, msg, claimed) => {
        const { sink, emitter } = setup();
        emitter.openSession(CONN).emit('command', { cmd, src_ip: claimed }, { msg });
        expect(sink.lines).toHaveLength(1);
        const line = sink.lines[0] as string;
        for (const [, split] of LINE_SPLITTERS) expect(split(line)).toHaveLength(1);
        const r = parseEventRecord(line);
        if (!r.ok) throw new Error(r.error.code);
        const record = decodeEventRecord(r.record);
        expect(record.fields['cmd']).toBe(cmd);
        expect(record.fields['claimed_src_ip']).toBe(claimed);
        expect(record.fields['src_ip']).toBe('198.51.100.7');
        expect(decodeEventText(r.message.msg ?? '')).toBe(msg);
      }),
      { numRuns: 400 },
    );
  });
});
