import { describe, expect, it } from 'vitest';
import { MAX_SECRET_BYTES, credentialFields, printableSecret, toHex } from './credentials.js';

describe('credential params follow the universal shape', () => {
  it('keeps the exact bytes in secret_b64 and a same-length printable rendering', () => {
    const bytes = new Uint8Array([0x61, 0x00, 0xff, 0x7e, 0x20]);
    const f = credentialFields(bytes, { principal: 'admin' });
    expect(Buffer.from(f.secret_b64, 'base64')).toEqual(Buffer.from(bytes));
    expect(f.secret_printable).toBe('a??~ ');
    expect(f.secret_kind).toBe('plaintext');
    expect(f.principal).toBe('admin');
    expect(Object.keys(f)).toEqual(['principal', 'secret_printable', 'secret_b64', 'secret_kind']);
  });

  it('accepts a printable override and a kind for hash-like secrets', () => {
    const scramble = new Uint8Array([1, 2, 254]);
    const f = credentialFields(scramble, { kind: 'mysql_native_password', printable: toHex(scramble), outcome: 'observed' });
    expect(f.secret_printable).toBe('0102fe');
    expect(f.secret_kind).toBe('mysql_native_password');
    expect(f.outcome).toBe('observed');
    expect(f.principal).toBeUndefined();
  });

  it('cuts absurdly long secrets', () => {
    const f = credentialFields('a'.repeat(MAX_SECRET_BYTES * 2));
    expect(Buffer.from(f.secret_b64, 'base64').length).toBe(MAX_SECRET_BYTES);
  });

  it('encodes string secrets as UTF-8', () => {
    expect(Buffer.from(credentialFields('é').secret_b64, 'base64')).toEqual(Buffer.from([0xc3, 0xa9]));
    expect(printableSecret(new TextEncoder().encode('é'))).toBe('??');
  });
});
