import { mkdtempSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureClients, mutatedExchange, runClient, startTestService, type TestService } from '@decnet/decky-kit/testing';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { service } from './index.js';
import { judgeAttempt } from './server.js';

let svc: TestService;
/** The first bytes a real OpenSSH client sends: its identification line and its KEXINIT packet. */
let clientHello: Buffer;

async function recordClientHello(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const server = createServer((s) => {
    s.write('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n');
    s.on('data', (d) => chunks.push(d));
    s.on('error', () => undefined);
    setTimeout(() => s.destroy(), 1_500);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await runClient('ssh', ['-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=5', '-p', String(port), 'root@127.0.0.1', 'true'], { timeoutMs: 10_000 });
  server.close();
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  await ensureClients('ssh', 'sshpass');
  clientHello = await recordClientHello();
  svc = await startTestService(service, { SSH_HOST_KEY_DIR: join(mkdtempSync(join(tmpdir(), 'ssh-fuzz-')), 'k'), SSH_HOST_KEY_TYPES: 'ed25519', DECNET_SERVICE_IDLE_TIMEOUT_S: '2' });
});
afterAll(async () => {
  await svc?.close();
});

function exchange(port: number, payload: Buffer): Promise<string> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    let got = '';
    const timer = setTimeout(() => s.destroy(), 300);
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => {
      clearTimeout(timer);
      resolve(got);
    });
    s.on('connect', () => s.write(payload));
  });
}

describe('the ssh service survives mutated real client handshakes', () => {
  it('recorded a real client hello to mutate', () => {
    expect(clientHello.toString('latin1')).toMatch(/^SSH-2\.0-OpenSSH_/);
    expect(clientHello.length).toBeGreaterThan(200);
  });

  it('answers every mutated handshake with its identification and keeps serving real clients', async () => {
    const eol = clientHello.indexOf(0x0a) + 1;
    const lines = [clientHello.subarray(0, eol - 2), clientHello.subarray(eol, eol + 200), clientHello.subarray(eol + 200)];
    await fc.assert(
      fc.asyncProperty(mutatedExchange(lines), async (chunks) => {
        const got = await exchange(svc.port, Buffer.concat(chunks));
        expect(got.startsWith('SSH-2.0-OpenSSH_8.9p1 Ubuntu-3ubuntu0.10\r\n')).toBe(true);
      }),
      { numRuns: 40 },
    );
    const r = await runClient(
      'sshpass',
      ['-p', 'admin', 'ssh', '-o', 'StrictHostKeyChecking=no', '-o', 'UserKnownHostsFile=/dev/null', '-o', 'LogLevel=ERROR', '-p', String(svc.port), 'root@127.0.0.1', 'echo still-here'],
      { timeoutMs: 30_000 },
    );
    expect(r.stdout).toBe('still-here\n');
    expect(svc.events.bad).toEqual([]);
  });
});

describe('password judgement is total', () => {
  it('never throws and always yields a credential with the exact bytes', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (user, secret) => {
        const r = judgeAttempt([{ username: 'root', password: 'admin' }], user, Buffer.from(secret), 'password');
        expect(Buffer.from(String(r.fields['secret_b64']), 'base64')).toEqual(Buffer.from(secret));
        expect(r.ok).toBe(user === 'root' && Buffer.from(secret).toString('utf8') === 'admin');
      }),
    );
  });
});
