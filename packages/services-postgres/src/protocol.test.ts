import { SERVICE_EVENTS } from '@decnet/decky-kit';
import { FUZZ_RUNS, mutatedExchange } from '@decnet/decky-kit/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_STARTUP_BYTES, createPostgresMachine, md5ChallengeSecret, parseStartupParams } from './protocol.js';

const SALT = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
type Step = ReturnType<ReturnType<typeof createPostgresMachine>['feed']>;
const bytes = (step: Step): Buffer => Buffer.concat(step.replies.map((r) => Buffer.from(r)));

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
};
const SSL_REQUEST = Buffer.concat([u32(8), u32(80_877_103)]);
function startup(params: Record<string, string>): Buffer {
  const body = Buffer.concat([...Object.entries(params).map(([k, v]) => Buffer.from(`${k}\0${v}\0`)), Buffer.from([0])]);
  return Buffer.concat([u32(body.length + 8), u32(196_608), body]);
}
function password(text: string): Buffer {
  const body = Buffer.from(`${text}\0`);
  return Buffer.concat([Buffer.from('p'), u32(body.length + 4), body]);
}
/** The fields of the ErrorResponse at the start of `buf`. */
function errorFields(buf: Buffer): Record<string, string> {
  expect(buf[0]).toBe(0x45);
  const out: Record<string, string> = {};
  for (const f of buf.subarray(5, 1 + buf.readUInt32BE(1)).toString('utf8').split('\0')) if (f) out[f[0] as string] = f.slice(1);
  return out;
}

describe('the PostgreSQL machine speaks the v3 start-up and captures the MD5 challenge', () => {
  it('refuses SSL with N, asks for MD5 with the salt, captures the response and fails with 28P01', () => {
    const m = createPostgresMachine({ salt: SALT });
    expect(bytes(m.feed(SSL_REQUEST)).toString()).toBe('N');
    const ask = bytes(m.feed(startup({ user: 'bob', database: 'hr', application_name: 'psql' })));
    expect(ask).toEqual(Buffer.from([0x52, 0, 0, 0, 12, 0, 0, 0, 5, 0xde, 0xad, 0xbe, 0xef]));
    const r = m.feed(password('md50123456789abcdef0123456789abcdef'));
    expect(r.events).toHaveLength(1);
    expect(r.events[0]?.fields).toMatchObject({
      username: 'bob', database: 'hr', pw_hash: 'md50123456789abcdef0123456789abcdef', salt: 'deadbeef', principal: 'bob', secret_kind: 'postgres_md5_challenge',
      secret_printable: '$postgres$bob*deadbeef*0123456789abcdef0123456789abcdef',
    });
    expect(errorFields(bytes(r))).toMatchObject({ S: 'FATAL', C: '28P01', M: 'password authentication failed for user "bob"' });
    expect(r.close).toBe(true);
  });

  it('answers a foreign protocol number as PostgreSQL 15 does (what nmap fingerprints)', () => {
    const r = createPostgresMachine({ salt: SALT }).feed(Buffer.concat([u32(164), Buffer.from([0xff, 0x53, 0x4d, 0x42]), Buffer.alloc(156)]));
    expect(errorFields(bytes(r))).toEqual({ S: 'FATAL', V: 'FATAL', C: '0A000', M: 'unsupported frontend protocol 65363.19778: server supports 3.0 to 3.0', F: 'postmaster.c', L: '2220', R: 'ProcessStartupPacket' });
  });

  it('hangs up silently on an impossible startup length and refuses a missing user', () => {
    const big = createPostgresMachine({ salt: SALT }).feed(Buffer.concat([u32(MAX_STARTUP_BYTES + 1), u32(196_608)]));
    expect(big.replies).toEqual([]);
    expect(big.close).toBe(true);
    expect(errorFields(bytes(createPostgresMachine({ salt: SALT }).feed(startup({ database: 'x' }))))['C']).toBe('28000');
  });

  it('reads startup parameters and rejects an unterminated list', () => {
    expect(parseStartupParams(Buffer.from('user\0a\0database\0b\0\0'))).toEqual({ user: 'a', database: 'b' });
    expect(parseStartupParams(Buffer.from('user\0a'))).toBeNull();
    expect(md5ChallengeSecret('u', SALT, 'md5ff')).toBe('$postgres$u*deadbeef*ff');
  });
});

const REAL = [SSL_REQUEST, startup({ user: 'postgres', database: 'postgres', application_name: 'psql', client_encoding: 'UTF8' }), password('md5a3556571e93b0d20722ba62be61e8c2d')];
const KNOWN_EVENTS = new Set(Object.keys(SERVICE_EVENTS.postgres));

describe('the PostgreSQL machine survives any mutation of a real exchange', () => {
  it('never throws, emits catalogued events with secrets and stays silent after close', () => {
    fc.assert(
      fc.property(mutatedExchange(REAL), (chunks) => {
        const m = createPostgresMachine({ salt: SALT });
        let closed = false;
        const check = (step: Step): void => {
          if (closed) expect(bytes(step).length).toBe(0);
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
