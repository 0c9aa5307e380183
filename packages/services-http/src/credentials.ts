// Credential extraction from an HTTP request, pure: Authorization (Basic, Bearer, Digest) and
// login forms (urlencoded, JSON, query string, WordPress XML-RPC) with user/pass-like fields.
import type { SecretKind } from '@decnet/decky-kit';

/** One credential found in a request. */
export interface HttpCredential {
  /** `basic`, `bearer`, `digest`, `form`, `json`, `query`, `xmlrpc`. */
  readonly scheme: string;
  readonly principal?: string;
  readonly secret: Buffer;
  readonly kind: SecretKind;
  /** Printable rendering override (Digest: the response hash). */
  readonly printable?: string;
}

/** Field names that hold a user name (compared lower-case). */
const USER_FIELDS = new Set(['user', 'username', 'user_name', 'login', 'log', 'email', 'mail', 'account', 'uname', 'usr', 'userid', 'user_id', 'j_username', 'pma_username', 'name', 'id', 'loginname', 'login_name', 'admin']);
/** Field names that hold a password. */
const PASS_FIELDS = new Set(['pass', 'password', 'passwd', 'pwd', 'pw', 'j_password', 'pma_password', 'secret', 'passphrase', 'pass_word', 'password1', 'loginpassword', 'login_password', 'userpassword', 'user_password']);

function isUserField(key: string): boolean {
  const k = key.toLowerCase();
  return USER_FIELDS.has(k) || (/user|login|email|account/.test(k) && !/pass/.test(k));
}

function isPassField(key: string): boolean {
  const k = key.toLowerCase();
  return PASS_FIELDS.has(k) || /pass|pwd/.test(k);
}

/** Reads an Authorization header value. */
export function authorizationCredential(value: string | undefined): HttpCredential | null {
  if (!value) return null;
  const space = value.indexOf(' ');
  const scheme = (space < 0 ? value : value.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : value.slice(space + 1).trim();
  if (scheme === 'basic') {
    const decoded = Buffer.from(rest, 'base64');
    const colon = decoded.indexOf(0x3a);
    const principal = (colon < 0 ? decoded : decoded.subarray(0, colon)).toString('utf8');
    const secret = colon < 0 ? Buffer.alloc(0) : decoded.subarray(colon + 1);
    return { scheme: 'basic', principal, secret: Buffer.from(secret), kind: 'plaintext' };
  }
  if (scheme === 'bearer') return { scheme: 'bearer', secret: Buffer.from(rest, 'utf8'), kind: 'http_bearer' };
  if (scheme === 'digest') {
    const params = new Map<string, string>();
    for (const m of rest.matchAll(/([a-zA-Z]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*))/g)) params.set((m[1] ?? '').toLowerCase(), m[2] ?? m[3] ?? '');
    const response = params.get('response') ?? '';
    const principal = params.get('username');
    return { scheme: 'digest', ...(principal !== undefined ? { principal } : {}), secret: Buffer.from(rest, 'utf8'), kind: 'http_digest_md5', printable: response };
  }
  return null;
}

function fromPairs(scheme: string, pairs: Iterable<[string, unknown]>): HttpCredential | null {
  let principal: string | undefined;
  let secret: string | undefined;
  for (const [key, value] of pairs) {
    if (typeof value !== 'string' && typeof value !== 'number') continue;
    const v = String(value);
    if (secret === undefined && isPassField(key)) secret = v;
    else if (principal === undefined && isUserField(key)) principal = v;
  }
  if (secret === undefined) return null;
  return { scheme, ...(principal !== undefined ? { principal } : {}), secret: Buffer.from(secret, 'utf8'), kind: 'plaintext' };
}

/** Most form fields read from one body or query string. */
const MAX_FIELDS = 64;

function formPairs(text: string): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of new URLSearchParams(text)) {
    out.push([k, v]);
    if (out.length >= MAX_FIELDS) break;
  }
  return out;
}

/**
 * Finds login-form credentials in a request body (by content type) or, failing that, in the
 * query string. Never throws.
 */
export function formCredential(contentType: string | undefined, body: Buffer, query: string): HttpCredential | null {
  const ct = (contentType ?? '').toLowerCase();
  if (body.length > 0) {
    const text = body.toString('utf8');
    if (ct.includes('application/json') || /^\s*\{/.test(text)) {
      try {
        const parsed: unknown = JSON.parse(text);
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
          const c = fromPairs('json', Object.entries(parsed as Record<string, unknown>).slice(0, MAX_FIELDS));
          if (c) return c;
        }
      } catch {
        // Not JSON after all: try the other shapes.
      }
    }
    if (ct.includes('xml') && text.includes('<methodName>')) {
      const strings = [...text.matchAll(/<string>([^<]{0,512})<\/string>/g)].map((m) => m[1] ?? '');
      if (strings.length >= 2) return { scheme: 'xmlrpc', principal: strings[0] as string, secret: Buffer.from(strings[1] as string, 'utf8'), kind: 'plaintext' };
    }
    if (ct === '' || ct.includes('application/x-www-form-urlencoded') || ct.includes('text/plain')) {
      const c = fromPairs('form', formPairs(text));
      if (c) return c;
    }
    if (ct.includes('multipart/form-data')) {
      const pairs: [string, string][] = [];
      for (const m of text.matchAll(/name="([^"]{1,64})"\r?\n(?:[^\r\n]*\r?\n)*?\r?\n([^\r\n]{0,1024})/g)) pairs.push([m[1] ?? '', m[2] ?? '']);
      const c = fromPairs('form', pairs.slice(0, MAX_FIELDS));
      if (c) return c;
    }
  }
  return query === '' ? null : fromPairs('query', formPairs(query));
}
