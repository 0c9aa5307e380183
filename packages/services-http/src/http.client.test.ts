import { decodeSecret, ensureClients, runClient, startTestService, type TestService } from '@decnet/decky-kit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { service } from './index.js';

let plain: TestService;
let wp: TestService;

beforeAll(async () => {
  await ensureClients('curl');
  plain = await startTestService(service, { EXTRA_HEADERS: 'X-Frame-Options: SAMEORIGIN' });
  wp = await startTestService(service, { FAKE_APP: 'wordpress', SERVER_HEADER: 'Apache/2.4.41 (Ubuntu)' });
});
afterAll(async () => {
  await plain?.close();
  await wp?.close();
});

const curl = (args: string[]) => runClient('curl', ['-sS', '--max-time', '10', ...args]);

describe('curl gets plausible pages and every request is logged', () => {
  it('serves the Apache default page with the configured headers and logs the request', async () => {
    const r = await curl(['-i', '-A', 'Mozilla/5.0 (scanner)', `http://127.0.0.1:${plain.port}/?q=1`]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(r.stdout).toContain('Server: Apache/2.4.52 (Ubuntu)\r\n');
    expect(r.stdout).toContain('X-Frame-Options: SAMEORIGIN\r\n');
    expect(r.stdout).toContain('Apache2 Ubuntu Default Page');
    const [req] = await plain.events.waitFor((e) => e.type === 'request' && e.fields['path'] === '/?q=1');
    expect(req?.fields).toMatchObject({ method: 'GET', version: '1.1', status: '200', user_agent: 'Mozilla/5.0 (scanner)', src_ip: '127.0.0.1' });
    expect(JSON.parse(req?.fields['headers'] ?? '{}')).toMatchObject({ 'User-Agent': 'Mozilla/5.0 (scanner)', Accept: '*/*' });
    expect(req?.fields['secret_b64']).toBeUndefined();
  });

  it('challenges a protected path with 401 and captures Basic credentials', async () => {
    const r = await curl(['-i', '-u', 'admin:hunter2', `http://127.0.0.1:${plain.port}/admin/`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(r.stdout).toContain('WWW-Authenticate: Basic realm="Restricted Area"');
    const [req] = await plain.events.waitFor((e) => e.type === 'request' && e.fields['path'] === '/admin/');
    expect(req?.fields).toMatchObject({ status: '401', auth_scheme: 'basic', username: 'admin', principal: 'admin', secret_kind: 'plaintext', outcome: 'failure' });
    expect(decodeSecret(req)).toBe('hunter2');
  });

  it('captures a Bearer token as an http_bearer secret', async () => {
    await curl(['-H', 'Authorization: Bearer eyJhbGciOi.tok]en', `http://127.0.0.1:${plain.port}/api/v1/users`]);
    const [req] = await plain.events.waitFor((e) => e.type === 'request' && e.fields['path'] === '/api/v1/users');
    expect(req?.fields).toMatchObject({ status: '404', auth_scheme: 'bearer', secret_kind: 'http_bearer' });
    expect(req?.fields['principal']).toBeUndefined();
    expect(decodeSecret(req)).toBe('eyJhbGciOi.tok]en');
  });

  it('captures a WordPress login form post and answers with the login error', async () => {
    const r = await curl(['-i', '-d', 'log=editor&pwd=Winter2024%21&wp-submit=Log+In', `http://127.0.0.1:${wp.port}/wp-login.php`]);
    expect(r.stdout).toContain('Server: Apache/2.4.41 (Ubuntu)');
    expect(r.stdout).toContain('X-Powered-By: PHP/8.1.2');
    expect(r.stdout).toContain('The password you entered for the username is incorrect');
    const [req] = await wp.events.waitFor((e) => e.type === 'request' && e.fields['method'] === 'POST');
    expect(req?.fields).toMatchObject({ path: '/wp-login.php', auth_scheme: 'form', principal: 'editor', username: 'editor', body: 'log=editor&pwd=Winter2024%21&wp-submit=Log+In', body_bytes: '45' });
    expect(decodeSecret(req)).toBe('Winter2024!');
  });

  it('captures JSON login bodies', async () => {
    await curl(['-H', 'Content-Type: application/json', '-d', '{"email":"ops@corp.example","password":"p@ss\\"word"}', `http://127.0.0.1:${plain.port}/api/login`]);
    const [req] = await plain.events.waitFor((e) => e.type === 'request' && e.fields['path'] === '/api/login');
    expect(req?.fields).toMatchObject({ auth_scheme: 'json', principal: 'ops@corp.example' });
    expect(decodeSecret(req)).toBe('p@ss"word');
  });

  it('redirects wp-admin to the login page like WordPress', async () => {
    const r = await curl(['-i', `http://127.0.0.1:${wp.port}/wp-admin/`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 302 Found\r\n/);
    expect(r.stdout).toContain('Location: /wp-login.php?redirect_to=%2Fwp-admin%2F&reauth=1');
  });

  it('answers a malformed request with Apache\'s 400 and logs it', async () => {
    const r = await runClient('curl', ['-sS', '--max-time', '10', '-i', '--request-target', 'bad target', `http://127.0.0.1:${plain.port}/`]);
    expect(r.stdout).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    await plain.events.waitFor((e) => e.type === 'request' && e.fields['status'] === '400' && e.fields['error'] !== undefined);
    expect(plain.events.bad).toEqual([]);
  });
});
