import { connect } from 'node:net';
import { SERVICE_EVENTS } from '@decnet/decky-kit';
import { FUZZ_RUNS, mutatedExchange, startTestService } from '@decnet/decky-kit/testing';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { authorizationCredential, formCredential } from './credentials.js';
import { handleRequest, type HttpRequestInfo, type SiteConfig } from './handler.js';
import { service } from './index.js';
import { FAKE_APPS } from './options.js';
import { SITES } from './site.js';

const config = (app: (typeof FAKE_APPS)[number] = 'none'): SiteConfig => ({ site: SITES[app], server: SITES[app].server, responseCode: 200, extraHeaders: [] });

const req = (over: Partial<HttpRequestInfo>): HttpRequestInfo => ({
  method: 'GET',
  url: '/',
  version: '1.1',
  rawHeaders: ['Host', 'x'],
  body: Buffer.alloc(0),
  bodyBytes: 0,
  remoteAddr: '203.0.113.9:5555',
  ...over,
});

describe('credentials are found wherever clients put them', () => {
  it('reads Basic with a colon in the password and without one', () => {
    expect(authorizationCredential(`Basic ${Buffer.from('u:p:q').toString('base64')}`)).toMatchObject({ principal: 'u', secret: Buffer.from('p:q') });
    expect(authorizationCredential(`basic ${Buffer.from('onlyuser').toString('base64')}`)).toMatchObject({ principal: 'onlyuser', secret: Buffer.alloc(0) });
  });

  it('reads Digest as an http_digest_md5 secret whose printable form is the response hash', () => {
    const c = authorizationCredential('Digest username="admin", realm="x", nonce="n", uri="/", response="6629fae49393a05397450978507c4ef1"');
    expect(c).toMatchObject({ principal: 'admin', kind: 'http_digest_md5', printable: '6629fae49393a05397450978507c4ef1' });
  });

  it('reads urlencoded, JSON, multipart and query-string logins', () => {
    expect(formCredential('application/x-www-form-urlencoded', Buffer.from('j_username=a&j_password=b'), '')).toMatchObject({ scheme: 'form', principal: 'a', secret: Buffer.from('b') });
    expect(formCredential('application/json', Buffer.from('{"user":"a","pass":"b"}'), '')).toMatchObject({ scheme: 'json', principal: 'a' });
    const multipart = '--X\r\nContent-Disposition: form-data; name="username"\r\n\r\nroot\r\n--X\r\nContent-Disposition: form-data; name="password"\r\n\r\ntoor\r\n--X--\r\n';
    expect(formCredential('multipart/form-data; boundary=X', Buffer.from(multipart), '')).toMatchObject({ principal: 'root', secret: Buffer.from('toor') });
    expect(formCredential(undefined, Buffer.alloc(0), 'account=nas&passwd=123')).toMatchObject({ scheme: 'query', principal: 'nas', secret: Buffer.from('123') });
    expect(formCredential('application/x-www-form-urlencoded', Buffer.from('q=search'), '')).toBeNull();
  });

  it('reads WordPress XML-RPC logins', () => {
    const body = '<?xml version="1.0"?><methodCall><methodName>wp.getUsersBlogs</methodName><params><param><value><string>admin</string></value></param><param><value><string>letmein</string></value></param></params></methodCall>';
    expect(formCredential('text/xml', Buffer.from(body), '')).toMatchObject({ scheme: 'xmlrpc', principal: 'admin', secret: Buffer.from('letmein') });
  });
});

describe('routing imitates each application', () => {
  it('challenges Tomcat manager paths with the Tomcat realm', () => {
    const { response } = handleRequest(req({ url: '/manager/html' }), config('tomcat'));
    expect(response.status).toBe(401);
    expect(response.headers).toContainEqual(['WWW-Authenticate', 'Basic realm="Tomcat Manager Application"']);
    expect(response.headers).toContainEqual(['Server', 'Apache-Coyote/1.1']);
  });

  it('applies RESPONSE_CODE and CUSTOM_BODY to the default page only', () => {
    const c = { ...config(), responseCode: 503, customBody: 'down for maintenance' };
    expect(handleRequest(req({}), c).response).toMatchObject({ status: 503, body: Buffer.from('down for maintenance') });
    expect(handleRequest(req({ url: '/robots.txt' }), c).response.status).toBe(200);
  });

  it('serves FILES_DIR files only for paths the site does not claim', () => {
    const c = { ...config(), readFile: (p: string) => (p === '/backup.zip' ? Buffer.from('PK') : null) };
    expect(handleRequest(req({ url: '/backup.zip' }), c).response).toMatchObject({ status: 200, body: Buffer.from('PK') });
    expect(handleRequest(req({ url: '/nope' }), c).response.status).toBe(404);
  });

  it('shows the empty login form on GET and the error page after a post', () => {
    const get = handleRequest(req({ url: '/wp-login.php' }), config('wordpress'));
    expect(get.response.body.toString()).not.toContain('login_error');
    expect(get.event['secret_b64']).toBeUndefined();
    const post = handleRequest(req({ method: 'POST', url: '/wp-login.php', rawHeaders: ['Content-Type', 'application/x-www-form-urlencoded'], body: Buffer.from('log=a&pwd=b'), bodyBytes: 11 }), config('wordpress'));
    expect(post.response.body.toString()).toContain('login_error');
    expect(post.event['secret_b64']).toBe(Buffer.from('b').toString('base64'));
  });
});

const KNOWN_PARAMS = new Set([...SERVICE_EVENTS.http.request, 'principal', 'secret_printable', 'secret_b64', 'secret_kind', 'outcome']);

describe('the request handler survives arbitrary requests', () => {
  it('never throws, answers a valid status with header-safe values, and writes only catalogued params', () => {
    const header = fc.tuple(fc.string({ maxLength: 20 }), fc.string({ maxLength: 200 }));
    fc.assert(
      fc.property(
        fc.constantFrom(...FAKE_APPS),
        fc.string({ maxLength: 10 }),
        fc.oneof(fc.string({ maxLength: 300 }), fc.constantFrom('/', '/wp-login.php', '/admin/x', '/manager/html', '/login.cgi', '/webapi/auth.cgi?account=a&passwd=b')),
        fc.array(header, { maxLength: 12 }),
        fc.uint8Array({ maxLength: 2000 }),
        (app, method, url, headers, body) => {
          const { response, event } = handleRequest(req({ method, url, rawHeaders: headers.flat(), body: Buffer.from(body), bodyBytes: body.length }), config(app));
          expect(response.status).toBeGreaterThanOrEqual(100);
          expect(response.status).toBeLessThan(600);
          for (const [k, v] of response.headers) expect(`${k}${v}`).not.toMatch(/[\r\n\0]/);
          for (const k of Object.keys(event)) expect(KNOWN_PARAMS.has(k)).toBe(true);
          expect(String(event['body'] ?? '').length).toBeLessThanOrEqual(512);
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  });
});

const CURL_REQUEST = ['POST /wp-login.php?x=1 HTTP/1.1', 'Host: 127.0.0.1', 'User-Agent: curl/7.88.1', 'Authorization: Basic YWRtaW46aHVudGVyMg==', 'Content-Type: application/x-www-form-urlencoded', 'Content-Length: 11', '', 'log=a&pwd=b'];

describe('the http server survives mutated real requests on a socket', () => {
  it('keeps answering well-formed requests after any mutated one, and every line it logs parses', async () => {
    const svc = await startTestService(service, { FAKE_APP: 'wordpress', DECNET_SERVICE_IDLE_TIMEOUT_S: '2' });
    const exchange = (payload: Buffer): Promise<string> =>
      new Promise((resolve) => {
        const s = connect({ host: '127.0.0.1', port: svc.port });
        let got = '';
        const timer = setTimeout(() => s.destroy(), 500);
        s.on('data', (d) => (got += d.toString('latin1')));
        s.on('error', () => undefined);
        s.on('close', () => {
          clearTimeout(timer);
          resolve(got);
        });
        s.on('connect', () => s.end(payload));
      });
    try {
      await fc.assert(
        fc.asyncProperty(mutatedExchange(CURL_REQUEST), async (chunks) => {
          await exchange(Buffer.concat(chunks));
        }),
        { numRuns: 60 },
      );
      const ok = await exchange(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'));
      expect(ok).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
      expect(svc.events.bad).toEqual([]);
      expect(svc.events.ofType('request').length).toBeGreaterThan(0);
    } finally {
      await svc.close();
    }
  });
});
