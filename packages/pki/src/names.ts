// Naming rules shared by the CA tooling and the TLS peers: what a certificate name (its CN)
// may be, and how subjectAltName entries are written. Light: node:net only, no crypto.
import { isIP } from 'node:net';
import { InvalidCertNameError, InvalidSanError } from './errors.js';

/** RFC 5280's upper bound for a CommonName. */
export const MAX_CERT_NAME_LENGTH = 64;

/** Names that would collide with the CA's own files. */
export const RESERVED_CERT_NAMES: readonly string[] = ['ca'];

/** One DNS label: letters, digits and inner hyphens. */
const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/**
 * Why `name` is not a usable certificate name, or `null` when it is. The rule is a DNS host
 * name of at most 64 characters: it is the CN, the file name, a DNS SAN and, at the listener,
 * the `source_worker` stamped on every event, so it must be safe in all four places.
 */
export function certNameProblem(name: string): string | null {
  if (name.length === 0) return 'empty';
  if (name.length > MAX_CERT_NAME_LENGTH) return `longer than ${MAX_CERT_NAME_LENGTH} characters`;
  if (!name.split('.').every((label) => LABEL.test(label))) {
    return 'use letters, digits, hyphens and dots (a host name), not starting or ending with - or .';
  }
  if (RESERVED_CERT_NAMES.includes(name.toLowerCase())) return 'reserved for the CA';
  return null;
}

/** True when `name` satisfies {@link certNameProblem}. */
export function isValidCertName(name: string): boolean {
  return certNameProblem(name) === null;
}

/**
 * Checks a certificate name.
 * @throws InvalidCertNameError with the reason.
 */
export function assertCertName(name: string): string {
  const problem = certNameProblem(name);
  if (problem !== null) throw new InvalidCertNameError(name, problem);
  return name;
}

/** One subjectAltName entry. */
export type SubjectAltName = { type: 'dns'; value: string } | { type: 'ip'; value: string };

/**
 * Parses `DNS:<name>`, `IP:<addr>`, or a bare value (an IP address if it parses as one, else a
 * DNS name; `*.` wildcards are accepted for DNS).
 * @throws InvalidSanError
 */
export function parseSan(text: string): SubjectAltName {
  const raw = text.trim();
  const colon = raw.indexOf(':');
  const prefix = colon > 0 ? raw.slice(0, colon).toUpperCase() : '';
  if (prefix === 'IP') {
    const value = raw.slice(colon + 1).replace(/^\[(.*)\]$/, '$1');
    if (isIP(value) === 0 || value.includes('%')) throw new InvalidSanError(text);
    return { type: 'ip', value };
  }
  if (prefix === 'DNS') return { type: 'dns', value: assertDnsName(raw.slice(colon + 1), text) };
  const bare = raw.replace(/^\[(.*)\]$/, '$1');
  if (isIP(bare) !== 0 && !bare.includes('%')) return { type: 'ip', value: bare };
  return { type: 'dns', value: assertDnsName(raw, text) };
}

function assertDnsName(name: string, original: string): string {
  const labels = name.split('.');
  const body = labels[0] === '*' && labels.length > 1 ? labels.slice(1) : labels;
  if (name.length === 0 || name.length > 253 || !body.every((label) => LABEL.test(label))) throw new InvalidSanError(original);
  return name;
}
