// The http service's environment: the catalog's fields (SERVER_HEADER, RESPONSE_CODE, FAKE_APP,
// EXTRA_HEADERS, CUSTOM_BODY, HTTP_VERSIONS, FILES_DIR) plus the port. Defaults written once, here.
import { envField, type EnvField, type OptionsOf } from '@decnet/decky-kit';

/** Applications the http service can imitate: the catalog's five plus a home router and a NAS. */
export const FAKE_APPS = ['none', 'wordpress', 'phpmyadmin', 'tomcat', 'jenkins', 'router', 'nas'] as const;

/** One of {@link FAKE_APPS}. */
export type FakeApp = (typeof FAKE_APPS)[number];

/** `Name: value` lines (EXTRA_HEADERS), validated as HTTP header names and values. */
function headerLines(env: string, description: string): EnvField<[string, string][]> {
  return {
    env,
    description,
    defaultText: '',
    parse(raw) {
      const out: [string, string][] = [];
      if (raw === undefined || raw.trim() === '') return { ok: true, value: out };
      const text = raw.startsWith('b64:') ? Buffer.from(raw.slice(4), 'base64').toString('utf8') : raw;
      for (const line of text.split(/\r?\n|\\n/)) {
        if (line.trim() === '') continue;
        const colon = line.indexOf(':');
        const name = colon > 0 ? line.slice(0, colon).trim() : '';
        const value = colon > 0 ? line.slice(colon + 1).trim() : '';
        if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value)) return { ok: false, message: 'expected "Name: value" lines' };
        out.push([name, value]);
      }
      return { ok: true, value: out };
    },
  };
}

/** HTTP_VERSIONS: a JSON list (the catalog renders it so) or a comma-separated one. Only HTTP/1.1 is served. */
function versions(env: string, description: string): EnvField<string[]> {
  return {
    env,
    description,
    defaultText: '["http/1.1"]',
    parse(raw) {
      if (raw === undefined || raw.trim() === '') return { ok: true, value: ['http/1.1'] };
      let list: unknown;
      try {
        list = raw.trim().startsWith('[') ? JSON.parse(raw) : raw.split(',').map((s) => s.trim());
      } catch {
        return { ok: false, message: 'expected a JSON list such as ["http/1.1"]' };
      }
      if (!Array.isArray(list) || list.some((v) => v !== 'http/1.1' && v !== 'http/2' && v !== 'http/3')) return { ok: false, message: 'expected values from http/1.1|http/2|http/3' };
      return { ok: true, value: list as string[] };
    },
  };
}

/** Environment variables of the http service. */
export const HTTP_FIELDS = {
  /** @default 80 */
  port: envField.port('HTTP_PORT', 'listening port', 80),
  /** @default unset: the imitated application's usual header (Apache/2.4.52 (Ubuntu) for none) */
  serverHeader: envField.optionalString('SERVER_HEADER', 'Server response header', { maxLength: 200, pattern: /^[\x20-\x7e]+$/ }),
  /** @default 200 */
  responseCode: envField.int('RESPONSE_CODE', 'status code of the default page', 200, 100, 599),
  /** @default 'none' */
  fakeApp: envField.enum('FAKE_APP', 'web application to imitate', FAKE_APPS, 'none'),
  /** @default none */
  extraHeaders: headerLines('EXTRA_HEADERS', 'extra response headers, "Name: value" one per line'),
  /** @default unset: the application's own page */
  customBody: envField.optionalString('CUSTOM_BODY', 'body of the default page', { maxLength: 256 * 1024 }),
  /** @default ["http/1.1"] */
  httpVersions: versions('HTTP_VERSIONS', 'protocol versions offered (only http/1.1 is served; others are ignored)'),
  /** @default unset */
  filesDir: envField.optionalString('FILES_DIR', 'directory whose files are served read-only at paths the application does not claim (at most 1 MiB each)'),
  /** @default 15 (Apache mod_reqtimeout's header=20-40 without the rate extension, and node's default) */
  headersTimeoutS: envField.int('HTTP_HEADERS_TIMEOUT_S', "seconds from a request's first byte to the end of its headers (wall clock)", 15, 1, 3600),
  /** @default 30 */
  requestTimeoutS: envField.int('HTTP_REQUEST_TIMEOUT_S', "seconds from a request's first byte to the end of its body (wall clock)", 30, 1, 3600),
  /** @default 5 (Apache's KeepAliveTimeout) */
  keepAliveTimeoutS: envField.int('HTTP_KEEPALIVE_TIMEOUT_S', 'seconds an idle keep-alive connection waits for its next request', 5, 1, 3600),
};

/** The http service's options, read. */
export type HttpOptions = OptionsOf<typeof HTTP_FIELDS>;
