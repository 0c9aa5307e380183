import { X509Certificate, createPrivateKey } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CaNotFoundError,
  CaUnusableError,
  InvalidCertNameError,
  PkiFileExistsError,
  caPaths,
  certPaths,
  initCa,
  issueCertificate,
  listCertificates,
  parseSan,
} from './index.js';

let dir: string;
beforeEach(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'decnet-pki-')), 'pki');
});
afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

const mode = (path: string): number => statSync(path).mode & 0o777;
const openssl = (...args: string[]): string => execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

describe('initCa creates a private CA with private files', () => {
  it('writes an EC P-256 key 0600 and a self-signed CA certificate valid for ten years in a 0700 directory', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    const info = initCa({ dir, now });
    const paths = caPaths(dir);
    expect(mode(dir)).toBe(0o700);
    expect(mode(paths.key)).toBe(0o600);
    expect(mode(paths.cert)).toBe(0o644);
    const cert = new X509Certificate(readFileSync(paths.cert));
    const key = createPrivateKey(readFileSync(paths.key));
    expect(cert.ca).toBe(true);
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(cert.verify(cert.publicKey)).toBe(true);
    expect(key.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(cert.subject).toBe('O=decnet\nCN=decnet private CA');
    expect(info.notAfter).toBe('2035-12-30T00:00:00.000Z');
    expect(new Date(info.notBefore).getTime()).toBeLessThan(now.getTime());
    expect(openssl('x509', '-in', paths.cert, '-noout', '-ext', 'basicConstraints,keyUsage')).toMatch(
      /CA:TRUE, pathlen:0[\s\S]*Certificate Sign, CRL Sign/,
    );
  });

  it('refuses to replace an existing CA unless forced, leaving the old files untouched', () => {
    initCa({ dir });
    const before = readFileSync(caPaths(dir).key, 'utf8');
    expect(() => initCa({ dir })).toThrow(PkiFileExistsError);
    expect(readFileSync(caPaths(dir).key, 'utf8')).toBe(before);
    initCa({ dir, force: true });
    expect(readFileSync(caPaths(dir).key, 'utf8')).not.toBe(before);
    expect(mode(caPaths(dir).key)).toBe(0o600);
  });
});

describe('issueCertificate signs host certificates that OpenSSL accepts', () => {
  beforeEach(() => {
    initCa({ dir });
  });

  it('issues CN=<name> with a DNS SAN for the name, IPv4 and IPv6 SANs, and the requested usage', () => {
    const info = issueCertificate({
      dir,
      name: 'listener',
      usage: ['serverAuth'],
      subjectAltNames: ['127.0.0.1', '::1', 'IP:2001:db8::7', 'DNS:collector.example', '::ffff:10.0.0.1'].map(parseSan),
    });
    const paths = certPaths(dir, 'listener');
    expect(mode(paths.key)).toBe(0o600);
    const cert = new X509Certificate(readFileSync(paths.cert));
    expect(cert.subject).toBe('O=decnet\nCN=listener');
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(new X509Certificate(readFileSync(caPaths(dir).cert)))).toBe(true);
    expect(cert.checkHost('listener')).toBe('listener');
    expect(cert.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(cert.checkIP('::1')).toBe('::1');
    expect(cert.checkIP('2001:db8::7')).toBe('2001:db8::7');
    expect(cert.checkIP('::ffff:10.0.0.1')).toBe('::ffff:10.0.0.1');
    expect(cert.checkHost('collector.example')).toBe('collector.example');
    expect(info.usage).toEqual(['serverAuth']);
    expect(openssl('verify', '-x509_strict', '-purpose', 'sslserver', '-CAfile', caPaths(dir).cert, paths.cert)).toMatch(/: OK/);
    expect(() => openssl('verify', '-purpose', 'sslclient', '-CAfile', caPaths(dir).cert, paths.cert)).toThrow();
  });

  it('issues certificates for both client and server use by default', () => {
    const info = issueCertificate({ dir, name: 'agent-01' });
    expect(info.usage).toEqual(['serverAuth', 'clientAuth']);
    for (const purpose of ['sslclient', 'sslserver']) {
      expect(openssl('verify', '-x509_strict', '-purpose', purpose, '-CAfile', caPaths(dir).cert, info.certPath)).toMatch(/: OK/);
    }
  });

  it('caps a host certificate at the CA expiry', () => {
    rmSync(dir, { recursive: true });
    const now = new Date('2026-01-01T00:00:00Z');
    initCa({ dir, now, days: 30 });
    const info = issueCertificate({ dir, name: 'short', now });
    expect(info.notAfter).toBe('2026-01-31T00:00:00.000Z');
  });

  it('refuses to overwrite a host certificate unless forced', () => {
    issueCertificate({ dir, name: 'agent-01' });
    const before = readFileSync(certPaths(dir, 'agent-01').cert, 'utf8');
    expect(() => issueCertificate({ dir, name: 'agent-01' })).toThrow(PkiFileExistsError);
    expect(readFileSync(certPaths(dir, 'agent-01').cert, 'utf8')).toBe(before);
    issueCertificate({ dir, name: 'agent-01', force: true });
    expect(readFileSync(certPaths(dir, 'agent-01').cert, 'utf8')).not.toBe(before);
  });

  it('rejects names that are not host names, are too long, or would overwrite the CA', () => {
    for (const name of ['', 'ca', 'CA', '../etc/passwd', 'a b', '-lead', 'trail.', 'x'.repeat(65), 'émile', 'a/b']) {
      expect(() => issueCertificate({ dir, name }), name).toThrow(InvalidCertNameError);
    }
    expect(issueCertificate({ dir, name: `${'a'.repeat(60)}.b-2` }).name).toHaveLength(64);
  });

  it('reports a missing CA and a CA whose key does not match its certificate', () => {
    const other = join(dir, '..', 'empty');
    expect(() => issueCertificate({ dir: other, name: 'x' })).toThrow(CaNotFoundError);
    const stray = join(dir, '..', 'stray');
    initCa({ dir: stray });
    writeFileSync(caPaths(dir).key, readFileSync(caPaths(stray).key));
    expect(() => issueCertificate({ dir, name: 'x' })).toThrow(CaUnusableError);
  });

  it('lists issued certificates with their CA check, and flags one from another CA', () => {
    issueCertificate({ dir, name: 'b-host', usage: ['clientAuth'] });
    issueCertificate({ dir, name: 'a-host' });
    const stray = join(dir, '..', 'stray');
    initCa({ dir: stray });
    const foreign = issueCertificate({ dir: stray, name: 'impostor' });
    writeFileSync(join(dir, 'impostor.crt'), readFileSync(foreign.certPath));
    const list = listCertificates(dir);
    expect(list.map((c) => [c.name, c.issuedByCa, c.keyPath !== undefined])).toEqual([
      ['a-host', true, true],
      ['b-host', true, true],
      ['impostor', false, false],
    ]);
  });
});

describe('issued certificates work for mutual TLS', () => {
  it('completes a TLS 1.3 handshake where each side verifies the other against the CA and reads the CN', async () => {
    initCa({ dir });
    issueCertificate({ dir, name: 'listener', usage: ['serverAuth'], subjectAltNames: [parseSan('127.0.0.1')] });
    issueCertificate({ dir, name: 'agent-01', usage: ['clientAuth'] });
    const read = (name: string, ext: string): Buffer => readFileSync(join(dir, `${name}.${ext}`));
    const server = tls.createServer({
      key: read('listener', 'key'),
      cert: read('listener', 'crt'),
      ca: read('ca', 'crt'),
      requestCert: true,
      rejectUnauthorized: true,
    });
    const peer = new Promise<string>((resolve) =>
      server.on('secureConnection', (socket) => {
        resolve(String(socket.getPeerCertificate().subject.CN));
        socket.end();
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const client = tls.connect({ host: '127.0.0.1', port, key: read('agent-01', 'key'), cert: read('agent-01', 'crt'), ca: read('ca', 'crt') });
    await new Promise<void>((resolve, reject) => client.once('secureConnect', resolve).once('error', reject));
    expect(client.authorized).toBe(true);
    expect(client.getProtocol()).toBe('TLSv1.3');
    expect(await peer).toBe('agent-01');
    client.destroy();
    await new Promise((resolve) => server.close(resolve));
  });
});
