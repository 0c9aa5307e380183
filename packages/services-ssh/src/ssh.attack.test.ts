// The ssh bundle under issue 20's attacks: a 0x7fffffff packet length streamed on three
// connections (before keys, and garbage after them), and 600 idle connections from 20 addresses,
// while a real OpenSSH client logs in.
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import {
  MAX_ATTACK_RSS_KB,
  NEWCOMER_DEADLINE_MS,
  duringIdleHorde,
  runClient,
  sampleRss,
  streamAttack,
  useServiceBundle,
} from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';

const proc = useServiceBundle({
  slug: 'ssh',
  portEnv: 'SSH_PORT',
  clients: ['ssh', 'sshpass'],
  env: {
    SSH_HOST_KEY_DIR: join(mkdtempSync(join(tmpdir(), 'ssh-attack-')), 'keys'),
    SSH_HOST_KEY_TYPES: 'ed25519',
    DECNET_SERVICE_IDLE_TIMEOUT_S: '120',
  },
});

const login = () =>
  runClient(
    'sshpass',
    [
      '-p',
      'admin',
      'ssh',
      '-o',
      'StrictHostKeyChecking=no',
      '-o',
      'UserKnownHostsFile=/dev/null',
      '-o',
      'LogLevel=ERROR',
      '-o',
      'ConnectTimeout=10',
      '-p',
      String(proc.port),
      'root@127.0.0.1',
      'whoami',
    ],
    { timeoutMs: 30_000 },
  );

describe('the ssh bundle bounds memory before and after key exchange', () => {
  it('refuses a 0x7fffffff packet length before buffering: 1 GiB streamed by each of 3 attackers stays under 150 MiB while OpenSSH logs in', async () => {
    const rss = sampleRss(proc.pid);
    const prefix = Buffer.concat([Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'), Buffer.from([0x7f, 0xff, 0xff, 0xff])]);
    const attack = streamAttack({ port: proc.port, prefix, connections: 3, maxDurationMs: 6_000 });
    const client = await login();
    const report = await attack;
    const maxKb = rss.stop();
    console.info(
      `[ssh attack] pre-KEX length 0x7fffffff: ${report.connectionsOpened} connections, ${(report.bytesSent / 1048576).toFixed(0)} MiB sent, max RSS ${(maxKb / 1024).toFixed(1)} MiB`,
    );
    expect(client.stdout).toBe('root\n');
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
    // Every connection but an attacker's last (which ends when its GiB is out) was closed by the decoy.
    expect(report.closedByDecoy).toBeGreaterThanOrEqual(report.connectionsOpened - 3);
    const refused = await proc.events.waitForType('frame_refused', 3);
    expect(refused[0]?.fields).toMatchObject({
      frame: 'packet',
      problem: 'too_long',
      declared_bytes: '2147483647',
      limit_bytes: String(256 * 1024),
    });
  });

  it('closes a connection whose encrypted stream declares a bad length after the key exchange, keeping RSS flat', async () => {
    const rss = sampleRss(proc.pid);
    const closes = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<{ sent: number; ms: number }>((resolve) => {
            const sock = connect({ host: '127.0.0.1', port: proc.port });
            const client = new ssh2.Client();
            let sent = 0;
            let start = 0;
            client.on('error', () => undefined);
            client.on('handshake', () => {
              // Keys are in use: whatever comes next is decrypted into a random packet length.
              start = Date.now();
              const junk = Buffer.alloc(256 * 1024, 0x5a);
              const pump = (): void => {
                while (!sock.destroyed && sent < 256 * 1024 * 1024) {
                  sent += junk.length;
                  if (!sock.write(junk)) return void sock.once('drain', pump);
                }
              };
              pump();
            });
            sock.on('error', () => undefined);
            sock.once('close', () => resolve({ sent, ms: Date.now() - start }));
            client.connect({ sock, username: 'root', password: 'wrong', readyTimeout: 20_000 });
          }),
      ),
    );
    const maxKb = rss.stop();
    console.info(
      `[ssh attack] post-KEX garbage: closed after ${closes.map((c) => c.ms).join('/')} ms, max RSS ${(maxKb / 1024).toFixed(1)} MiB`,
    );
    for (const c of closes) expect(c.ms).toBeLessThan(5_000);
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
    // Events travel through the child's stdout: wait for them rather than racing the pipe.
    await proc.events.waitFor((e) => e.type === 'frame_refused' && e.fields['problem'] === 'bad_length', 3);
  });
});

describe('the ssh bundle bounds memory after login', () => {
  it('holds 3 logged-in shells pasting commands as fast as they can while reading nothing, under 150 MiB', async () => {
    const rss = sampleRss(proc.pid);
    const paste = Buffer.from('cat /etc/passwd; ls -la /usr/bin\n'.repeat(2_000));
    const sessions = await Promise.all(
      [1, 2, 3].map(
        () =>
          new Promise<number>((resolve) => {
            const client = new ssh2.Client();
            let sent = 0;
            const stop = Date.now() + 6_000;
            client.on('error', () => resolve(sent));
            client.on('ready', () => {
              client.shell((err, stream) => {
                if (err) return resolve(sent);
                // Never read what the decoy answers.
                stream.pause();
                stream.on('error', () => undefined);
                const pump = (): void => {
                  while (Date.now() < stop) {
                    sent += paste.length;
                    if (!stream.write(paste)) return void stream.once('drain', pump);
                  }
                  client.end();
                  resolve(sent);
                };
                pump();
                setTimeout(() => {
                  client.end();
                  resolve(sent);
                }, 8_000).unref();
              });
            });
            client.connect({
              host: '127.0.0.1',
              port: proc.port,
              username: 'root',
              password: 'admin',
              readyTimeout: 20_000,
            });
          }),
      ),
    );
    const during = await login();
    const maxKb = rss.stop();
    console.info(
      `[ssh attack] post-auth paste: ${sessions.map((b) => (b / 1048576).toFixed(0)).join('/')} MiB written, max RSS ${(maxKb / 1024).toFixed(1)} MiB`,
    );
    expect(during.stdout).toBe('root\n');
    expect(maxKb).toBeLessThan(MAX_ATTACK_RSS_KB);
  });
});

describe('the ssh bundle stays fair under an idle horde', () => {
  it('lets OpenSSH from a new address log in within 5 s while 600 idle connections from 20 addresses hold it', async () => {
    const r = await duringIdleHorde(proc.port, login);
    console.info(`[ssh attack] horde: ${r.opened} opened, ${r.stillOpen} still open, login in ${r.ms} ms`);
    expect(r.result.stdout).toBe('root\n');
    expect(r.ms).toBeLessThan(NEWCOMER_DEADLINE_MS);
    expect(r.opened).toBe(600);
    const shed = await proc.events.waitFor(
      (e) => e.type === 'connection_shed' && /_limit$/.test(e.fields['reason'] ?? ''),
      600 - 512,
    );
    expect(shed.every((e) => e.fields['src_ip'] !== '127.0.0.1')).toBe(true);
    expect(proc.events.bad).toEqual([]);
  });
});
