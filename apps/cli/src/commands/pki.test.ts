import { X509Certificate } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../main.js';
import { captureIO } from '../testing.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'decnet-cli-pki-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const capture = (env: Record<string, string> = {}): ReturnType<typeof captureIO> => captureIO({ DECNET_HOME: home, ...env });
const pki = (file: string): string => join(home, 'pki', file);
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('decnet pki init creates the CA under $DECNET_HOME/pki', () => {
  it('writes ca.crt and a 0600 ca.key and prints where and until when', async () => {
    const io = capture();
    expect(await main(['pki', 'init'], io)).toBe(0);
    expect(io.out).toMatch(/^created the CA in .*\/pki: .*ca\.crt, .*ca\.key \(0600\)\n\s+subject\s+O=decnet, CN=decnet private CA\n\s+valid until\s+20\d\d-/);
    expect(mode(pki('ca.key'))).toBe(0o600);
    expect(mode(join(home, 'pki'))).toBe(0o700);
    expect(new X509Certificate(readFileSync(pki('ca.crt'))).ca).toBe(true);
  });

  it('refuses to replace the CA without --force (exit 1, files unchanged), and replaces it with --force', async () => {
    await main(['pki', 'init'], capture());
    const before = readFileSync(pki('ca.key'), 'utf8');
    const again = capture();
    expect(await main(['pki', 'init'], again)).toBe(1);
    expect(again.err).toMatch(/^decnet pki init: .*ca\.key already exists; refusing to overwrite it \(use --force/);
    expect(readFileSync(pki('ca.key'), 'utf8')).toBe(before);
    expect(await main(['pki', 'init', '--force'], capture())).toBe(0);
    expect(readFileSync(pki('ca.key'), 'utf8')).not.toBe(before);
  });

  it('honours --dir and prints JSON for scripts', async () => {
    const io = capture();
    const dir = join(home, 'elsewhere');
    expect(await main(['pki', 'init', '--dir', dir, '--json'], io)).toBe(0);
    expect(JSON.parse(io.out)).toMatchObject({ name: 'ca', certPath: join(dir, 'ca.crt'), keyPath: join(dir, 'ca.key') });
  });
});

describe('decnet pki issue signs host certificates with the CA', () => {
  beforeEach(async () => {
    expect(await main(['pki', 'init'], capture())).toBe(0);
  });

  it('issues a server certificate with SANs that openssl verifies for server use only', async () => {
    const io = capture();
    expect(await main(['pki', 'issue', 'listener', '--server', '--san', '127.0.0.1', '--san', 'master.lan,::1'], io)).toBe(0);
    expect(io.out).toMatch(/^issued listener: .*listener\.crt, .*listener\.key \(0600\)/);
    expect(io.out).toMatch(/SANs\s+DNS:listener, IP Address:127\.0\.0\.1, DNS:master\.lan, IP Address:0:0:0:0:0:0:0:1/);
    expect(mode(pki('listener.key'))).toBe(0o600);
    const verify = (purpose: string): string =>
      execFileSync('openssl', ['verify', '-x509_strict', '-purpose', purpose, '-CAfile', pki('ca.crt'), pki('listener.crt')], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    expect(verify('sslserver')).toMatch(/OK/);
    expect(() => verify('sslclient')).toThrow();
  });

  it('issues a client certificate whose CN is the name', async () => {
    const io = capture();
    expect(await main(['pki', 'issue', 'agent-01', '--client', '--json'], io)).toBe(0);
    const info = JSON.parse(io.out) as { subject: string; usage: string[] };
    expect(info).toMatchObject({ subject: 'O=decnet, CN=agent-01', usage: ['clientAuth'] });
  });

  it('refuses to overwrite an issued certificate without --force', async () => {
    expect(await main(['pki', 'issue', 'agent-01'], capture())).toBe(0);
    const io = capture();
    expect(await main(['pki', 'issue', 'agent-01'], io)).toBe(1);
    expect(io.err).toMatch(/agent-01\.key already exists/);
    expect(await main(['pki', 'issue', 'agent-01', '--force'], capture())).toBe(0);
  });

  it('rejects bad names, SANs and arguments with exit 2', async () => {
    const cases: [string[], RegExp][] = [
      [['pki', 'issue', '../evil'], /invalid certificate name/],
      [['pki', 'issue', 'ca'], /reserved for the CA/],
      [['pki', 'issue', 'a', '--san', 'not a name'], /invalid subjectAltName/],
      [['pki', 'issue'], /exactly one <name>/],
      [['pki', 'issue', 'a', 'b'], /exactly one <name>/],
      [['pki', 'issue', 'a', '--days', '0'], /--days/],
      [['pki', 'init', '--server'], /issue only/],
      [['pki', 'frobnicate'], /unknown subcommand/],
      [['pki'], /missing subcommand/],
    ];
    for (const [argv, message] of cases) {
      const io = capture();
      expect(await main(argv, io), argv.join(' ')).toBe(2);
      expect(io.err, argv.join(' ')).toMatch(message);
    }
  });

  it('says to run init first when there is no CA', async () => {
    const io = capture();
    expect(await main(['pki', 'issue', 'agent-01', '--dir', join(home, 'empty')], io)).toBe(1);
    expect(io.err).toMatch(/no CA in .*empty: .*ca\.key is missing \(run "decnet pki init" first\)/);
  });

  it('lists certificates with their CA check', async () => {
    await main(['pki', 'issue', 'listener', '--server'], capture());
    await main(['pki', 'issue', 'agent-01', '--client'], capture());
    const io = capture();
    expect(await main(['pki', 'list'], io)).toBe(0);
    const lines = io.out.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+USAGE\s+VALID UNTIL\s+CA\s+KEY\s+SANS$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ['agent-01', 'clientAuth'],
      ['listener', 'serverAuth'],
    ]);
    expect(io.out).not.toMatch(/NOT ISSUED/);
  });
});
