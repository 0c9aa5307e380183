// One HTTP request in, one response plan and one `request` event out. Pure (the optional file
// lookup is injected): routing over the fake site, 401 challenges on protected paths, login
// forms, and the request event with headers, a capped body preview and any credential.
import { credentialFields, type EventFields } from '@decnet/decky-kit';
import { authorizationCredential, formCredential, type HttpCredential } from './credentials.js';
import { HTML_TYPE, LOGIN_GET_PAGES, badRequestPage, unauthorizedPage, type FakeSite } from './site.js';

/** A parsed request as the handler sees it. */
export interface HttpRequestInfo {
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly url: string;
  /** `1.1`, `1.0`. */
  readonly version: string;
  /** Node's `rawHeaders`: name, value, name, value... in wire order. */
  readonly rawHeaders: readonly string[];
  /** The first bytes of the body (at most {@link MAX_BODY_BYTES}). */
  readonly body: Buffer;
  /** Total body bytes received (may exceed `body.length`). */
  readonly bodyBytes: number;
  /** The client's address as `ip:port`. */
  readonly remoteAddr: string;
}

/** What to send back. */
export interface ResponsePlan {
  readonly status: number;
  readonly headers: readonly [string, string][];
  readonly body: Buffer;
}

/** The handler's configuration (compiled from the options once). */
export interface SiteConfig {
  readonly site: FakeSite;
  /** The Server header. */
  readonly server: string;
  readonly responseCode: number;
  readonly customBody?: string;
  readonly extraHeaders: readonly [string, string][];
  /** Reads a file under FILES_DIR for a path the site does not claim, or `null`. */
  readonly readFile?: (path: string) => Buffer | null;
}

/** Body bytes kept for credential parsing; the rest is counted and discarded. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Body characters written in the event (upstream's cap). */
export const BODY_PREVIEW_CHARS = 512;
/** Characters of the headers JSON written in the event. */
export const MAX_HEADERS_JSON_CHARS = 4096;
/** Characters of the request target written in the event. */
export const MAX_PATH_CHARS = 2048;

function headerMap(raw: readonly string[]): Map<string, string> {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = (raw[i] as string).toLowerCase();
    if (!m.has(k)) m.set(k, raw[i + 1] as string);
  }
  return m;
}

function headersJson(raw: readonly string[]): string {
  const obj: Record<string, string> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const k = raw[i] as string;
    obj[k] = k in obj ? `${obj[k]}, ${raw[i + 1]}` : (raw[i + 1] as string);
  }
  const json = JSON.stringify(obj);
  return json.length > MAX_HEADERS_JSON_CHARS ? json.slice(0, MAX_HEADERS_JSON_CHARS) : json;
}

function isProtected(site: FakeSite, path: string): string | null {
  for (const [prefix, realm] of site.basicPrefixes) {
    if (path === prefix || path.startsWith(`${prefix}/`)) return realm;
  }
  return null;
}

/**
 * Answers one request against the configured site and describes it as a `request` event (with
 * the credential params when the request carried Basic/Bearer/Digest auth or a login form).
 * Never throws.
 */
export function handleRequest(req: HttpRequestInfo, config: SiteConfig): { response: ResponsePlan; event: EventFields } {
  const headers = headerMap(req.rawHeaders);
  const q = req.url.indexOf('?');
  const rawPath = (q < 0 ? req.url : req.url.slice(0, q)).replace(/#.*$/, '') || '/';
  const path = /^https?:\/\//i.test(rawPath) ? rawPath.replace(/^https?:\/\/[^/]*/i, '') || '/' : rawPath;
  const query = q < 0 ? '' : req.url.slice(q + 1);
  const method = req.method.toUpperCase();
  const base: [string, string][] = [['Server', config.server], ...config.site.headers, ...config.extraHeaders];

  let credential: HttpCredential | null = authorizationCredential(headers.get('authorization'));
  let status = 200;
  let type = HTML_TYPE;
  let body = '';
  const extra: [string, string][] = [];

  const realm = isProtected(config.site, path);
  const route = config.site.routes.get(path);
  if (method === 'OPTIONS') {
    extra.push(['Allow', 'GET,POST,OPTIONS,HEAD']);
  } else if (method === 'TRACE' || method === 'TRACK') {
    status = 405;
    body = '<!DOCTYPE HTML PUBLIC "-//IETF//DTD HTML 2.0//EN">\n<html><head>\n<title>405 Method Not Allowed</title>\n</head><body>\n<h1>Method Not Allowed</h1>\n</body></html>\n';
    extra.push(['Allow', 'GET,POST,OPTIONS,HEAD']);
  } else if (realm !== null) {
    status = 401;
    body = unauthorizedPage(config.server);
    extra.push(['WWW-Authenticate', `Basic realm="${realm}"`]);
  } else if (route?.kind === 'redirect') {
    status = route.status ?? 302;
    extra.push(['Location', route.location]);
  } else if (route?.kind === 'login') {
    const form = formCredential(headers.get('content-type'), req.body, query);
    credential ??= form;
    const submitted = method === 'POST' || form !== null;
    status = submitted ? (route.status ?? 200) : 200;
    type = route.type ?? HTML_TYPE;
    body = submitted ? route.body : (LOGIN_GET_PAGES.get(path) ?? route.body);
    if (route.headers) extra.push(...route.headers);
  } else if (route?.kind === 'page') {
    const isDefault = path === '/';
    status = isDefault ? config.responseCode : (route.status ?? 200);
    type = route.type ?? HTML_TYPE;
    body = isDefault && config.customBody !== undefined ? config.customBody : route.body;
    if (route.headers) extra.push(...route.headers);
    if (method === 'POST') credential ??= formCredential(headers.get('content-type'), req.body, query);
  } else {
    const file = config.readFile?.(path) ?? null;
    if (file) {
      const plan: ResponsePlan = { status: 200, headers: [...base, ['Content-Type', 'application/octet-stream']], body: file };
      return { response: plan, event: requestEvent(req, headers, 200, credential) };
    }
    status = 404;
    body = config.site.notFound(path, config.server);
    if (method === 'POST') credential ??= formCredential(headers.get('content-type'), req.body, query);
  }
  const response: ResponsePlan = { status, headers: [...base, ...extra, ['Content-Type', type]], body: Buffer.from(body, 'utf8') };
  return { response, event: requestEvent(req, headers, status, credential) };
}

function requestEvent(req: HttpRequestInfo, headers: Map<string, string>, status: number, credential: HttpCredential | null): EventFields {
  const preview = req.body.subarray(0, BODY_PREVIEW_CHARS * 4).toString('utf8').slice(0, BODY_PREVIEW_CHARS);
  const fields: Record<string, string | number | undefined> = {
    method: req.method.slice(0, 32),
    path: req.url.slice(0, MAX_PATH_CHARS),
    version: req.version,
    remote_addr: req.remoteAddr,
    host: headers.get('host')?.slice(0, 255),
    user_agent: headers.get('user-agent')?.slice(0, 512),
    headers: headersJson(req.rawHeaders),
    body: req.bodyBytes > 0 ? preview : undefined,
    body_bytes: req.bodyBytes,
    status,
  };
  if (credential) {
    fields['auth_scheme'] = credential.scheme;
    if (credential.principal !== undefined) fields['username'] = credential.principal.slice(0, 256);
    Object.assign(
      fields,
      credentialFields(credential.secret, {
        principal: credential.principal ?? null,
        kind: credential.kind,
        outcome: 'failure',
        ...(credential.printable !== undefined ? { printable: credential.printable } : {}),
      }),
    );
  }
  return fields;
}

/** The response to a request node's parser rejected, and its event. */
export function badRequest(server: string, remoteAddr: string, code: string, preview: Buffer): { response: ResponsePlan; event: EventFields } {
  const body = Buffer.from(badRequestPage(server), 'utf8');
  return {
    response: { status: 400, headers: [['Server', server], ['Content-Type', 'text/html; charset=iso-8859-1'], ['Connection', 'close']], body },
    event: { method: '-', path: '-', remote_addr: remoteAddr, status: 400, error: code, body: preview.length > 0 ? preview.toString('latin1').slice(0, BODY_PREVIEW_CHARS) : undefined },
  };
}
