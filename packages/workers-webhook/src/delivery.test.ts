// One delivery against real HTTP receivers on 127.0.0.1 (allowed by configuration): the
// receiver can verify the signature, retries happen on 5xx/429/network errors and never on other
// 4xx, redirects are not followed, garbage and hanging receivers cost at most the timeout, and
// the SSRF guard refuses loopback by default and connects to the address it checked.
import { afterEach, describe, expect, it } from 'vitest';
import { createKeepAliveAgents, deliver, retryDelays, type DeliverySettings } from './delivery.js';
import type { DeliveryEvent } from './handlers/formats.js';
import { parseCidrList, type Cidr } from './handlers/ip-guard.js';
import { verifySignature } from './handlers/signing.js';
import type { Lookup } from './handlers/target.js';
import { closedPort, startRawServer, startReceiver, type Answer, type Receiver } from './test-kit.fixture.js';
import { EVENTS } from '@decnet/core';

const SECRET = 'receiver-shared-secret';
const LOOPBACK = parseCidrList('127.0.0.1/32') as Cidr[];
const event: DeliveryEvent = { id: 'evt-1', topic: EVENTS.attackerObserved.subject, type: 'observed', ts: 1_777_700_000, payload: { attacker_ip: '198.51.100.7' } };

const settings = (over: Partial<DeliverySettings> = {}): DeliverySettings => ({
  timeoutMs: 2_000,
  retryScheduleMs: [20, 40, 80],
  allow: LOOPBACK,
  lookup: async () => {
    throw new Error('no lookup expected');
  },
  random: () => 0.5,
  ...over,
});

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function receiver(script?: (n: number) => Answer): Promise<Receiver> {
  const r = await startReceiver(script);
  closers.push(() => r.close());
  return r;
}

describe('a receiver can verify what it gets', () => {
  it('recomputes the HMAC over timestamp and raw body, and sees the event id and topic', async () => {
    const r = await receiver();
    const result = await deliver({ url: r.url, secret: SECRET, format: 'json' }, event, settings());
    expect(result).toEqual({ ok: true, status: 200, attempts: 1, error: null });
    const req = r.requests[0];
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.headers['user-agent']).toBe('decnet-webhook/1.0');
    expect(req?.headers['x-decnet-event-id']).toBe('evt-1');
    expect(req?.headers['x-decnet-event-topic']).toBe(EVENTS.attackerObserved.subject);
    const verified = verifySignature({
      secret: SECRET,
      body: req?.body ?? '',
      timestamp: req?.headers['x-decnet-timestamp'] as string,
      signature: req?.headers['x-decnet-signature'] as string,
      nowS: Date.now() / 1000,
    });
    expect(verified).toBe(true);
    expect(JSON.parse(req?.body ?? '')).toMatchObject({ v: 1, id: 'evt-1', topic: EVENTS.attackerObserved.subject, payload: { attacker_ip: '198.51.100.7' } });
    // The same bytes under another timestamp (a replay) do not verify.
    expect(
      verifySignature({ secret: SECRET, body: req?.body ?? '', timestamp: String(Number(req?.headers['x-decnet-timestamp']) + 60), signature: req?.headers['x-decnet-signature'] as string, nowS: Date.now() / 1000 + 60 }),
    ).toBe(false);
  });
});

describe('retries happen on 5xx, 429 and network errors only', () => {
  it('retries 500 until a 200', async () => {
    const r = await receiver((n) => ({ status: n < 2 ? 500 : 200 }));
    expect(await deliver({ url: r.url, secret: SECRET, format: 'json' }, event, settings())).toMatchObject({ ok: true, status: 200, attempts: 3 });
    expect(new Set(r.requests.map((q) => q.headers['x-decnet-event-id']))).toEqual(new Set(['evt-1']));
  });

  it('retries 429', async () => {
    const r = await receiver((n) => ({ status: n < 2 ? 429 : 204 }));
    expect(await deliver({ url: r.url, secret: SECRET, format: 'json' }, event, settings())).toMatchObject({ ok: true, attempts: 3 });
  });

  it('gives up after 1 + schedule attempts on a permanent 503', async () => {
    const r = await receiver(() => ({ status: 503 }));
    expect(await deliver({ url: r.url, secret: SECRET, format: 'json' }, event, settings())).toMatchObject({ ok: false, status: 503, attempts: 4, error: 'HTTP 503' });
    expect(r.requests).toHaveLength(4);
  });

  it('never retries a 400 or 404', async () => {
    const r = await receiver((n) => ({ status: n === 0 ? 400 : 404 }));
    expect(await deliver({ url: r.url, secret: SECRET, format: 'json' }, event, settings())).toMatchObject({ ok: false, status: 400, attempts: 1 });
    expect(await deliver({ url: r.url, secret: SECRET, format: 'json' }, event, settings())).toMatchObject({ ok: false, status: 404, attempts: 1 });
    expect(r.requests).toHaveLength(2);
  });

  it('retries a refused connection and a reset, reporting the network error', async () => {
    const port = await closedPort();
    const refused = await deliver({ url: `http://127.0.0.1:${port}/`, secret: SECRET, format: 'json' }, event, settings());
    expect(refused).toMatchObject({ ok: false, status: null, attempts: 4 });
    expect(refused.error).toContain('ECONNREFUSED');
    const r = await receiver((n) => (n === 0 ? 'reset' : { status: 200 }));
    expect(await deliver({ url: r.url, secret: SECRET, format: 'json' }, event, settings())).toMatchObject({ ok: true, attempts: 2 });
  });

  it('waits 1, 2 and 4 s by default, each within ±20%', () => {
    expect(retryDelays([1_000, 2_000, 4_000], () => 0)).toEqual([800, 1_600, 3_200]);
    expect(retryDelays([1_000, 2_000, 4_000], () => 0.999999)).toEqual([1_200, 2_400, 4_800]);
  });
});

describe('bad receivers cost at most the timeout and never a redirect', () => {
  it('does not follow a redirect to the metadata address: a 3xx is a failure', async () => {
    const r = await receiver(() => ({ status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } }));
    const result = await deliver({ url: r.url, secret: SECRET, format: 'json' }, event, settings());
    expect(result).toMatchObject({ ok: false, status: 302, attempts: 1 });
    expect(result.error).toContain('redirects are not followed');
    expect(r.requests).toHaveLength(1);
  });

  it('treats a garbage answer as a network error', async () => {
    const raw = await startRawServer('SSH-2.0-OpenSSH_9.6\r\n\r\n');
    closers.push(() => raw.close());
    const result = await deliver({ url: `http://127.0.0.1:${raw.port}/`, secret: SECRET, format: 'json' }, event, settings({ retryScheduleMs: [10] }));
    expect(result).toMatchObject({ ok: false, status: null, attempts: 2 });
    expect(result.error).toMatch(/network error/);
  });

  it('gives up on a receiver that never answers after the timeout, per attempt', async () => {
    const r = await receiver(() => 'hang');
    const result = await deliver({ url: r.url, secret: SECRET, format: 'json' }, event, settings({ timeoutMs: 150, retryScheduleMs: [10] }));
    expect(result).toMatchObject({ ok: false, attempts: 2, error: 'timed out' });
  });

  it('succeeds on the status line even when the body never ends', async () => {
    const raw = await startRawServer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', true);
    closers.push(() => raw.close());
    expect(await deliver({ url: `http://127.0.0.1:${raw.port}/`, secret: SECRET, format: 'json' }, event, settings())).toMatchObject({ ok: true, attempts: 1 });
  });

  it('refuses oversized headers as garbage', async () => {
    const raw = await startRawServer(`HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(40_000)}\r\n\r\n`);
    closers.push(() => raw.close());
    expect(await deliver({ url: `http://127.0.0.1:${raw.port}/`, secret: SECRET, format: 'json' }, event, settings({ retryScheduleMs: [] }))).toMatchObject({ ok: false, attempts: 1 });
  });
});

describe('a lane reuses its connection to the checked address', () => {
  it('sends consecutive deliveries over one kept-alive connection', async () => {
    const r = await receiver();
    const agents = createKeepAliveAgents();
    try {
      for (let i = 0; i < 3; i++) expect(await deliver({ url: r.url, secret: SECRET, format: 'json' }, { ...event, id: `k${i}` }, settings({ agents }))).toMatchObject({ ok: true });
    } finally {
      agents.http.destroy();
    }
    expect(r.requests).toHaveLength(3);
    expect(r.connections()).toBe(1);
  });

  it('closes a connection whose body never ends, so the next delivery still goes out', async () => {
    const raw = await startRawServer('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n', true);
    closers.push(() => raw.close());
    const agents = createKeepAliveAgents();
    try {
      const s = settings({ agents, timeoutMs: 2_000, retryScheduleMs: [] });
      expect(await deliver({ url: `http://127.0.0.1:${raw.port}/`, secret: SECRET, format: 'json' }, event, s)).toMatchObject({ ok: true });
      expect(await deliver({ url: `http://127.0.0.1:${raw.port}/`, secret: SECRET, format: 'json' }, event, s)).toMatchObject({ ok: true });
    } finally {
      agents.http.destroy();
    }
    expect(raw.connections).toBe(2);
  });
});

describe('the SSRF guard refuses before connecting and pins the checked address', () => {
  it('refuses localhost, loopback and metadata URLs by default without a single connection', async () => {
    const r = await receiver();
    for (const url of [`http://localhost:${r.port}/hook`, r.url, `http://[::1]:${r.port}/`, 'http://169.254.169.254/latest/meta-data/', 'http://10.0.0.1/']) {
      const result = await deliver({ url, secret: SECRET, format: 'json' }, event, settings({ allow: [], lookup: (await import('./delivery.js')).systemLookup }));
      expect(result).toMatchObject({ ok: false, attempts: 0 });
      expect(result.refused).toBeDefined();
    }
    expect(r.requests).toHaveLength(0);
  });

  it('refuses non-http schemes', async () => {
    expect(await deliver({ url: 'file:///etc/passwd', secret: SECRET, format: 'json' }, event, settings())).toMatchObject({ ok: false, attempts: 0, refused: 'scheme' });
  });

  it('resolves once per delivery and connects to the checked address even if DNS changes, keeping the Host header', async () => {
    const r = await receiver((n) => ({ status: n === 0 ? 500 : 200 }));
    const answers = ['127.0.0.1', '10.0.0.99', '10.0.0.99'];
    const calls: string[] = [];
    const rebinding: Lookup = async (host) => {
      calls.push(host);
      return [{ address: answers[calls.length - 1] as string, family: 4 }];
    };
    const result = await deliver({ url: `http://hooks.receiver.test:${r.port}/in?x=1`, secret: SECRET, format: 'json' }, event, settings({ lookup: rebinding }));
    expect(result).toMatchObject({ ok: true, attempts: 2 });
    expect(calls).toEqual(['hooks.receiver.test']);
    expect(r.requests.map((q) => q.headers.host)).toEqual([`hooks.receiver.test:${r.port}`, `hooks.receiver.test:${r.port}`]);
    expect(r.requests[0]?.path).toBe('/in?x=1');
    // A name whose answer is refused is never contacted.
    const refused = await deliver({ url: `http://hooks.receiver.test:${r.port}/`, secret: SECRET, format: 'json' }, event, settings({ lookup: rebinding }));
    expect(refused).toMatchObject({ ok: false, attempts: 0, refused: 'private' });
    expect(r.requests).toHaveLength(2);
  });

  it('renders the body in the subscription\'s format, whatever its URL says', async () => {
    const r = await receiver();
    await deliver({ url: `${r.url}#format=discord`, secret: SECRET, format: 'slack' }, event, settings());
    await deliver({ url: r.url, secret: SECRET, format: 'discord' }, event, settings());
    await deliver({ url: r.url, secret: SECRET, format: 'json' }, event, settings());
    // A fragment is never sent, and no longer chooses the format.
    expect(r.requests[0]?.path).toBe('/hook');
    expect(Object.keys(JSON.parse(r.requests[0]?.body ?? '{}'))).toContain('text');
    expect(Object.keys(JSON.parse(r.requests[1]?.body ?? '{}'))).toContain('content');
    expect(JSON.parse(r.requests[2]?.body ?? '{}')).toMatchObject({ v: 1, id: event.id, topic: event.topic });
  });
});
