import { SERVICE_EVENTS } from '@decnet/decky-kit';
import { FUZZ_RUNS, mutatedExchange } from '@decnet/decky-kit/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRedisMachine, type RedisMachineOptions } from './protocol.js';
import { MAX_PENDING_BYTES, createRespParser } from './resp.js';
import { MAX_STORE_KEYS, RedisStore, globMatch } from './store.js';

const options = (extra: Partial<RedisMachineOptions> = {}): RedisMachineOptions => ({
  version: '7.0.15',
  os: 'Linux',
  store: new RedisStore(false),
  uptimeS: () => 100,
  runId: 'a'.repeat(40),
  pid: 1234,
  port: 6379,
  ...extra,
});

type Step = ReturnType<ReturnType<typeof createRedisMachine>['feed']>;
const text = (step: Step): string => step.replies.map((r) => (typeof r === 'string' ? r : Buffer.from(r).toString('utf8'))).join('');
const resp = (...args: string[]): string => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;

describe('the RESP parser frames any split of requests and bounds what it holds', () => {
  it('parses multibulk and inline requests split at every byte', () => {
    const wire = Buffer.from(`${resp('SET', 'k', 'v\r\nx')}PING\r\nset "a b" 'c'\n`);
    const p = createRespParser();
    const out: string[][] = [];
    for (const byte of wire) {
      const r = p.push(Uint8Array.of(byte));
      expect(r.error).toBeNull();
      out.push(...r.commands.map((c) => c.map((a) => a.toString())));
    }
    expect(out).toEqual([['SET', 'k', 'v\r\nx'], ['PING'], ['set', 'a b', 'c']]);
  });

  it('refuses an oversized bulk length, a bad multibulk header and unbalanced quotes', () => {
    expect(createRespParser().push(Buffer.from('*1\r\n$999999999\r\n')).error).toBe('invalid bulk length');
    expect(createRespParser().push(Buffer.from('*x\r\n')).error).toBe('invalid multibulk length');
    expect(createRespParser().push(Buffer.from('*2\r\n:1\r\n')).error).toBe("expected '$', got ':'");
    expect(createRespParser().push(Buffer.from('set "a\n')).error).toBe('unbalanced quotes in request');
  });

  it('gives up on a request that never ends instead of buffering it', () => {
    const p = createRespParser();
    let error: string | null = null;
    for (let i = 0; i < 20 && error === null; i++) error = p.push(Buffer.alloc(64 * 1024, 0x61)).error;
    expect(error).toBe('too big inline request');
    expect(p.pending).toBeLessThanOrEqual(MAX_PENDING_BYTES);
  });
});

describe('the Redis machine answers like Redis 7 and logs every command and AUTH', () => {
  it('logs each command with its arguments and answers PING, SET, GET and KEYS', () => {
    const m = createRedisMachine(options());
    const r = m.feed(Buffer.from(`${resp('SET', 'a', '1')}${resp('GET', 'a')}PING\r\n${resp('KEYS', '*')}${resp('GET', 'zz')}`));
    expect(text(r)).toBe('+OK\r\n$1\r\n1\r\n+PONG\r\n*1\r\n$1\r\na\r\n$-1\r\n');
    expect(r.events.map((e) => [e.type, e.fields?.['cmd'], e.fields?.['args']])).toEqual([
      ['command', 'SET', 'a 1'],
      ['command', 'GET', 'a'],
      ['command', 'PING', ''],
      ['command', 'KEYS', '*'],
      ['command', 'GET', 'zz'],
    ]);
  });

  it('captures AUTH with the exact bytes, ACL user as principal, and gates commands behind requirepass', () => {
    const m = createRedisMachine(options({ requirePass: 'pw' }));
    expect(text(m.feed(Buffer.from(resp('GET', 'a'))))).toBe('-NOAUTH Authentication required.\r\n');
    const bad = m.feed(Buffer.concat([Buffer.from('*3\r\n$4\r\nAUTH\r\n$4\r\nroot\r\n$3\r\n'), Buffer.from([0x61, 0xfe, 0x62]), Buffer.from('\r\n')]));
    expect(text(bad)).toBe('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    expect(bad.events[0]).toMatchObject({ type: 'auth', fields: { principal: 'root', secret_printable: 'a?b', outcome: 'failure' } });
    expect(Buffer.from(String(bad.events[0]?.fields?.['secret_b64']), 'base64')).toEqual(Buffer.from([0x61, 0xfe, 0x62]));
    expect(text(m.feed(Buffer.from(resp('AUTH', 'pw'))))).toBe('+OK\r\n');
    expect(text(m.feed(Buffer.from(resp('DBSIZE'))))).toBe(':0\r\n');
  });

  it('replies to AUTH on an open server as Redis does and still captures it', () => {
    const r = createRedisMachine(options()).feed(Buffer.from(resp('AUTH', 'guess')));
    expect(text(r)).toMatch(/^-ERR AUTH <password> called without any password configured/);
    expect(r.events[0]?.fields?.['secret_printable']).toBe('guess');
  });

  it('serves CONFIG GET/SET, SELECT and INFO', () => {
    const m = createRedisMachine(options());
    expect(text(m.feed(Buffer.from(resp('CONFIG', 'GET', 'dbfilename'))))).toBe('*2\r\n$10\r\ndbfilename\r\n$8\r\ndump.rdb\r\n');
    expect(text(m.feed(Buffer.from(resp('CONFIG', 'SET', 'dbfilename', 'authorized_keys'))))).toBe('+OK\r\n');
    expect(text(m.feed(Buffer.from(resp('CONFIG', 'GET', 'dbfile*'))))).toContain('authorized_keys');
    expect(text(m.feed(Buffer.from(resp('SELECT', '16'))))).toBe('-ERR DB index is out of range\r\n');
    expect(text(m.feed(Buffer.from(resp('INFO'))))).toMatch(/^\$\d+\r\n# Server\r\nredis_version:7\.0\.15\r\n/);
  });

  it('answers a protocol error with -ERR and hangs up', () => {
    const r = createRedisMachine(options()).feed(Buffer.from('*1\r\n$-5\r\n'));
    expect(text(r)).toBe('-ERR Protocol error: invalid bulk length\r\n');
    expect(r.close).toBe(true);
  });

  it('keeps the shared store bounded and matches globs as Redis does', () => {
    const store = new RedisStore(false);
    for (let i = 0; i < MAX_STORE_KEYS; i++) expect(store.set(0, `k${i}`, Buffer.from('v'))).toBe(true);
    expect(store.set(0, 'one-more', Buffer.from('v'))).toBe(false);
    const r = createRedisMachine(options({ store })).feed(Buffer.from(resp('SET', 'x', 'y')));
    expect(text(r)).toMatch(/^-OOM /);
    expect(globMatch('h?llo*[a-c]', 'hello world b')).toBe(true);
    expect(globMatch('h[^e]llo', 'hello')).toBe(false);
    expect(globMatch('*', '')).toBe(true);
  });
});

const REDIS_CLI_EXCHANGE = [resp('AUTH', 'hunter2'), resp('INFO'), resp('CONFIG', 'SET', 'dir', '/root/.ssh'), resp('SET', 'x', 'ssh-rsa AAAA'), resp('SAVE'), 'PING', resp('SLAVEOF', '1.2.3.4', '8886'), resp('MODULE', 'LOAD', '/tmp/x.so'), resp('KEYS', '*'), resp('FLUSHALL'), resp('QUIT')];
const KNOWN_EVENTS = new Set(Object.keys(SERVICE_EVENTS.redis));

describe('the Redis machine survives any mutation of a real exchange', () => {
  it('never throws, replies only RESP, emits catalogued events and stays silent after close', () => {
    fc.assert(
      fc.property(mutatedExchange(REDIS_CLI_EXCHANGE), fc.boolean(), (chunks, locked) => {
        const m = createRedisMachine(options(locked ? { requirePass: 'hunter2' } : {}));
        let closed = false;
        const check = (step: Step): void => {
          const t = text(step);
          if (closed) expect(t).toBe('');
          if (t !== '') expect(t).toMatch(/^[-+:$*]/);
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
