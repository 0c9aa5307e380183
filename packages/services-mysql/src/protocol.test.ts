import { SERVICE_EVENTS } from '@decnet/decky-kit';
import { FUZZ_RUNS, mutatedExchange } from '@decnet/decky-kit/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_MYSQL_PACKET_BYTES, createMysqlMachine, mysqlPacket, parseHandshakeResponse } from './protocol.js';

const SALT = Uint8Array.from({ length: 20 }, (_, i) => i + 1);
const OPTIONS = { version: '8.0.36-0ubuntu0.22.04.1', connectionId: 4242, salt: SALT, clientHost: '10.0.0.9' };

type Step = ReturnType<ReturnType<typeof createMysqlMachine>['feed']>;
const bytes = (step: Step): Buffer => Buffer.concat(step.replies.map((r) => Buffer.from(r)));

/** A HandshakeResponse41 as the mariadb client sends it (lenenc auth data, db, plugin, attrs). */
function handshakeResponse(user: string, scramble: Buffer, db: string, plugin: string): Buffer {
  const caps = Buffer.alloc(4);
  caps.writeUInt32LE(0x0200 | 0x8000 | 0x80000 | 0x200000 | 0x100000 | (db ? 0x8 : 0));
  const attrs = Buffer.from([0x0c, 0x0c, ...Buffer.from('_client_name'), 0x00]);
  return Buffer.concat([caps, Buffer.from([0, 0, 0, 1, 0x2d]), Buffer.alloc(23), Buffer.from(`${user}\0`), Buffer.from([scramble.length]), scramble, Buffer.from(db ? `${db}\0` : ''), Buffer.from(`${plugin}\0`), attrs]);
}

describe('the MySQL machine greets as MySQL 8.0 and captures the login scramble', () => {
  it('sends a handshake v10 with the version, connection id, salt and mysql_native_password', () => {
    const greeting = bytes(createMysqlMachine(OPTIONS).start());
    expect(greeting.readUIntLE(0, 3)).toBe(greeting.length - 4);
    expect(greeting[3]).toBe(0);
    expect(greeting[4]).toBe(0x0a);
    expect(greeting.toString('latin1')).toContain('8.0.36-0ubuntu0.22.04.1\0');
    expect(greeting.indexOf(Buffer.from(SALT.subarray(0, 8)))).toBeGreaterThan(0);
    expect(greeting.indexOf(Buffer.from(SALT.subarray(8)))).toBeGreaterThan(0);
    expect(greeting.subarray(-22).toString('latin1')).toBe('mysql_native_password\0');
    const connect = createMysqlMachine(OPTIONS).start().events[0];
    expect(connect).toEqual({ type: 'connect', fields: { connection_id: 4242 } });
  });

  it('captures a native response with the salt, then answers ERR 1045 with the next sequence id and hangs up', () => {
    const m = createMysqlMachine(OPTIONS);
    m.start();
    const scramble = Buffer.alloc(20, 0xab);
    const r = m.feed(mysqlPacket(1, handshakeResponse('root', scramble, 'shop', 'mysql_native_password')));
    expect(r.events[0]?.type).toBe('auth');
    expect(r.events[0]?.fields).toMatchObject({
      username: 'root', database: 'shop', connection_id: 4242, principal: 'root', secret_kind: 'mysql_native_password',
      secret_printable: 'ab'.repeat(20), secret_b64: scramble.toString('base64'), salt: Buffer.from(SALT).toString('hex'), switched: false,
    });
    const out = bytes(r);
    expect(out[3]).toBe(2);
    expect(out[4]).toBe(0xff);
    expect(out.readUInt16LE(5)).toBe(1045);
    expect(out.subarray(7).toString()).toBe("#28000Access denied for user 'root'@'10.0.0.9' (using password: YES)");
    expect(r.close).toBe(true);
  });

  it('switches another plugin to mysql_native_password and captures the switch response', () => {
    const m = createMysqlMachine(OPTIONS);
    const first = m.feed(mysqlPacket(1, handshakeResponse('app', Buffer.alloc(32, 1), '', 'caching_sha2_password')));
    const sw = bytes(first);
    expect(sw[3]).toBe(2);
    expect(sw.subarray(4).toString('latin1')).toBe(`\xfemysql_native_password\0${Buffer.from(SALT).toString('latin1')}\0`);
    const r = m.feed(mysqlPacket(3, Buffer.alloc(20, 7)));
    expect(r.events[0]?.fields).toMatchObject({ username: 'app', switched: true, client_plugin: 'caching_sha2_password', secret_b64: Buffer.alloc(20, 7).toString('base64') });
    expect(bytes(r)[3]).toBe(4);
  });

  it('answers garbage with Bad handshake and an oversized packet header without buffering it', () => {
    const bad = createMysqlMachine(OPTIONS).feed(Buffer.from('GET / HTTP/1.0\r\n\r\n'));
    expect(bad.close).toBe(true);
    expect(bytes(bad).subarray(4).toString('latin1')).toMatch(/^\xff.{2}#08S01/s);
    const big = createMysqlMachine(OPTIONS).feed(Buffer.from([0xff, 0xff, 0xff, 0x00, 1, 2, 3]));
    expect(big.close).toBe(true);
    expect(bytes(big).readUInt16LE(5)).toBe(1153);
    expect(MAX_MYSQL_PACKET_BYTES).toBeLessThan(0xffffff);
  });

  it('parses the response fields and rejects truncated ones', () => {
    const p = handshakeResponse('u', Buffer.from('abc'), 'db', 'mysql_native_password');
    expect(parseHandshakeResponse(p)).toMatchObject({ username: 'u', database: 'db', plugin: 'mysql_native_password', sslRequest: false });
    expect(parseHandshakeResponse(p.subarray(0, 35))).toBeNull();
    expect(parseHandshakeResponse(Buffer.alloc(10))).toBeNull();
  });
});

const REAL = [mysqlPacket(1, handshakeResponse('root', Buffer.alloc(20, 0x41), 'shop', 'caching_sha2_password')), mysqlPacket(3, Buffer.alloc(20, 0x42))];
const KNOWN_EVENTS = new Set(Object.keys(SERVICE_EVENTS.mysql));

describe('the MySQL machine survives any mutation of a real exchange', () => {
  it('never throws, frames every reply as a packet, emits catalogued events and stays silent after close', () => {
    fc.assert(
      fc.property(mutatedExchange(REAL), (chunks) => {
        const m = createMysqlMachine(OPTIONS);
        let closed = false;
        const check = (step: Step): void => {
          const out = bytes(step);
          if (closed) expect(out.length).toBe(0);
          let at = 0;
          while (at < out.length) at += 4 + out.readUIntLE(at, 3);
          expect(at).toBe(out.length);
          for (const e of step.events) {
            expect(KNOWN_EVENTS.has(e.type)).toBe(true);
            if (e.type === 'auth') expect(typeof e.fields?.['secret_b64']).toBe('string');
          }
          if (step.close) closed = true;
        };
        check(m.start());
        for (const c of chunks) check(m.feed(c));
        check(m.end('peer_closed'));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
