// The universal credential SD shape (reference/ingestion.md §2.6): the exact secret bytes in
// `secret_b64`, a printable rendering, the principal and the secret's kind. One function builds
// it so every service writes credentials the ingester recognises.

/** Secret kinds the ingester knows; `plaintext` is the default. */
export const SECRET_KINDS = [
  'plaintext',
  'http_bearer',
  'http_digest_md5',
  'mysql_native_password',
  'postgres_md5_challenge',
  'vnc_des_response',
  'ntlmssp_v1',
  'ntlmssp_v2',
  'snmp_community',
  'scram_sha1',
  'scram_sha256',
  'scram_unknown',
] as const;

/** One of {@link SECRET_KINDS}. */
export type SecretKind = (typeof SECRET_KINDS)[number];

/** What the attempt led to, when the service knows. */
export type CredentialOutcome = 'success' | 'failure' | 'observed';

/** Options of {@link credentialFields}. */
export interface CredentialOptions {
  /** The identity: user name, DN, `DOMAIN\user`; omitted from the params when absent. */
  principal?: string | null;
  /** @default 'plaintext' */
  kind?: SecretKind;
  /**
   * Printable rendering to use instead of the default (bytes 0x20-0x7e kept, others `?`);
   * hash-like secrets pass their hex here, as upstream's mysql and smb emitters did.
   */
  printable?: string;
  outcome?: CredentialOutcome;
}

/** The credential params, ready to spread into an event's fields. */
export interface CredentialFields {
  principal?: string;
  secret_printable: string;
  secret_b64: string;
  secret_kind: SecretKind;
  outcome?: CredentialOutcome;
}

/** Longest secret kept, in bytes: beyond this the secret is cut (a password this long is an attack on the log, not a guess). */
export const MAX_SECRET_BYTES = 4096;

const encoder = new TextEncoder();

/** Bytes 0x20-0x7e as they are, every other byte as `?` (one `?` per byte, so lengths match). */
export function printableSecret(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b >= 0x20 && b <= 0x7e ? String.fromCharCode(b) : '?';
  return out;
}

/** Lower-case hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/**
 * Builds the credential params for one attempt. A string secret is encoded as UTF-8; bytes are
 * kept exactly (cut at {@link MAX_SECRET_BYTES}). Never throws.
 *
 * ```ts
 * session.emit('auth_attempt', { username, ...credentialFields(password, { principal: username, outcome: 'failure' }) });
 * ```
 */
export function credentialFields(secret: string | Uint8Array, options: CredentialOptions = {}): CredentialFields {
  let bytes = typeof secret === 'string' ? encoder.encode(secret) : secret;
  if (bytes.byteLength > MAX_SECRET_BYTES) bytes = bytes.subarray(0, MAX_SECRET_BYTES);
  const fields: CredentialFields = {} as CredentialFields;
  if (options.principal !== undefined && options.principal !== null) fields.principal = options.principal;
  fields.secret_printable = options.printable ?? printableSecret(bytes);
  fields.secret_b64 = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  fields.secret_kind = options.kind ?? 'plaintext';
  if (options.outcome !== undefined) fields.outcome = options.outcome;
  return fields;
}
