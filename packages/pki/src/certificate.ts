// X.509 v3 certificates built from DER by hand and signed with node:crypto (ECDSA P-256,
// SHA-256): enough for a private CA and its host certificates, with no dependency.
import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';
import {
  TAG,
  bitString,
  boolean,
  explicit,
  ia5String,
  implicitPrimitive,
  integer,
  integerFromBytes,
  namedBits,
  octetString,
  oid,
  readChildren,
  readTlv,
  sequence,
  set,
  time,
  utf8String,
} from './der.js';
import { PkiFormatError } from './errors.js';
import type { SubjectAltName } from './names.js';

/** Object identifiers used in decnet certificates. */
export const OID = {
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** KeyUsage bit numbers (RFC 5280 §4.2.1.3). */
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** Bytes of random serial number; 16 is the CA/Browser Forum's floor of 64 bits, doubled. */
const SERIAL_BYTES = 16;

/** A distinguished name, most general attribute first when encoded (O, OU, CN). */
export interface DistinguishedName {
  readonly organization?: string;
  readonly organizationalUnit?: string;
  /** Omitted only to build deliberately CN-less certificates (tests of peers that must refuse them). */
  readonly commonName?: string;
}

/** What an extended key usage allows. */
export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth';

/** Who signs a certificate. */
export interface CertificateIssuer {
  /** The issuer's subject Name, DER-encoded exactly as in its certificate. */
  readonly name: Buffer;
  readonly privateKey: KeyObject;
  /** The issuer's subject key identifier (becomes the authorityKeyIdentifier). */
  readonly keyId: Buffer;
}

/** Everything {@link buildCertificate} needs. */
export interface CertificateSpec {
  readonly subject: DistinguishedName;
  readonly publicKey: KeyObject;
  /** `null`: self-signed, using `selfKey`. */
  readonly issuer: CertificateIssuer | null;
  /** Private key of a self-signed certificate (required when `issuer` is null). */
  readonly selfKey?: KeyObject;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** A CA certificate (basicConstraints CA, path length 0, keyCertSign + cRLSign). */
  readonly ca: boolean;
  readonly extKeyUsage?: readonly ExtendedKeyUsage[];
  readonly subjectAltNames?: readonly SubjectAltName[];
  /** @default 16 random bytes */
  readonly serial?: Buffer;
}

/** DER encoding of a distinguished name. */
export function encodeName(dn: DistinguishedName): Buffer {
  const rdn = (type: string, value: string): Buffer => set(sequence(oid(type), utf8String(value)));
  const parts: Buffer[] = [];
  if (dn.organization !== undefined) parts.push(rdn(OID.organizationName, dn.organization));
  if (dn.organizationalUnit !== undefined) parts.push(rdn(OID.organizationalUnitName, dn.organizationalUnit));
  if (dn.commonName !== undefined) parts.push(rdn(OID.commonName, dn.commonName));
  return sequence(...parts);
}

/** SubjectPublicKeyInfo DER of a key. */
export function spkiDer(publicKey: KeyObject): Buffer {
  return publicKey.export({ type: 'spki', format: 'der' });
}

/**
 * RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey bits.
 * @throws PkiFormatError when the key's SPKI is malformed.
 */
export function keyIdentifier(publicKey: KeyObject): Buffer {
  const spki = readTlv(spkiDer(publicKey));
  const bits = readChildren(spki)[1];
  if (!bits || bits.tag !== TAG.BIT_STRING) throw new PkiFormatError('SubjectPublicKeyInfo has no key bits');
  return createHash('sha1').update(bits.contents.subarray(1)).digest();
}

/** Address bytes (4 or 16) for an iPAddress SAN; `address` must already be a valid IP. */
export function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  let text = address;
  const embedded: number[] = [];
  const v4 = /(?:^|:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4?.[1]) {
    const [a = 0, b = 0, c = 0, d = 0] = v4[1].split('.').map(Number);
    embedded.push((a << 8) | b, (c << 8) | d);
    text = text.slice(0, text.length - v4[1].length);
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const hex = (groups: string): number[] => (groups === '' ? [] : groups.split(':').map((g) => parseInt(g, 16)));
  const [head = '', tail] = text.split('::');
  const left = hex(head);
  const right = [...hex(tail ?? ''), ...embedded];
  const groups = tail === undefined ? [...left, ...embedded] : [...left, ...new Array<number>(Math.max(0, 8 - left.length - right.length)).fill(0), ...right];
  const out = Buffer.alloc(16);
  groups.slice(0, 8).forEach((g, i) => out.writeUInt16BE(g & 0xffff, i * 2));
  return out;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

/** A positive random serial (top bit cleared, never zero). */
function randomSerial(): Buffer {
  const serial = randomBytes(SERIAL_BYTES);
  serial[0] = ((serial[0] as number) & 0x7f) | 0x01;
  return serial;
}

/**
 * Builds and signs a certificate; returns its DER. The signature is ecdsa-with-SHA256, so the
 * signing key must be an EC key.
 * @throws PkiFormatError when a key cannot be encoded; Error from node:crypto on a bad key.
 */
export function buildCertificate(spec: CertificateSpec): Buffer {
  const signingKey = spec.issuer?.privateKey ?? spec.selfKey;
  if (!signingKey) throw new PkiFormatError('a self-signed certificate needs its private key');
  const subjectName = encodeName(spec.subject);
  const issuerName = spec.issuer?.name ?? subjectName;
  const subjectKeyId = keyIdentifier(spec.publicKey);
  const authorityKeyId = spec.issuer?.keyId ?? subjectKeyId;
  const algorithm = sequence(oid(OID.ecdsaWithSha256));

  const extensions: Buffer[] = [
    extension(OID.basicConstraints, true, spec.ca ? sequence(boolean(true), integer(0)) : sequence()),
    extension(
      OID.keyUsage,
      true,
      namedBits(spec.ca ? [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign] : [KEY_USAGE.digitalSignature]),
    ),
  ];
  if (spec.extKeyUsage && spec.extKeyUsage.length > 0) {
    extensions.push(extension(OID.extKeyUsage, false, sequence(...spec.extKeyUsage.map((u) => oid(OID[u])))));
  }
  if (spec.subjectAltNames && spec.subjectAltNames.length > 0) {
    const names = spec.subjectAltNames.map((san) =>
      san.type === 'dns' ? implicitPrimitive(2, ia5String(san.value).subarray(2)) : implicitPrimitive(7, ipBytes(san.value)),
    );
    extensions.push(extension(OID.subjectAltName, false, sequence(...names)));
  }
  extensions.push(extension(OID.subjectKeyIdentifier, false, octetString(subjectKeyId)));
  extensions.push(extension(OID.authorityKeyIdentifier, false, sequence(implicitPrimitive(0, authorityKeyId))));

  const tbs = sequence(
    explicit(0, integer(2)),
    integerFromBytes(spec.serial ?? randomSerial()),
    algorithm,
    issuerName,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    subjectName,
    spkiDer(spec.publicKey),
    explicit(3, sequence(...extensions)),
  );
  const signature = sign('sha256', tbs, { key: signingKey, dsaEncoding: 'der' });
  return sequence(tbs, algorithm, bitString(signature));
}

/**
 * The subject Name of a certificate, DER-encoded exactly as stored (so a leaf's issuer field
 * matches its CA byte for byte).
 * @throws PkiFormatError when `der` is not a certificate.
 */
export function subjectNameDer(der: Buffer): Buffer {
  const certificate = readTlv(der);
  const tbs = readChildren(certificate)[0];
  if (certificate.tag !== TAG.SEQUENCE || !tbs || tbs.tag !== TAG.SEQUENCE) throw new PkiFormatError('not a certificate');
  const fields = readChildren(tbs);
  // version [0] is optional; the subject follows serial, signature, issuer and validity.
  const base = fields[0]?.tag === 0xa0 ? 1 : 0;
  const subject = fields[base + 4];
  if (!subject || subject.tag !== TAG.SEQUENCE) throw new PkiFormatError('certificate has no subject');
  return Buffer.from(subject.raw);
}

/** PEM armour for DER bytes. */
export function toPem(label: string, der: Buffer): string {
  const body = der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/**
 * DER bytes of the first PEM block labelled `label`.
 * @throws PkiFormatError when there is none.
 */
export function fromPem(label: string, pem: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!match?.[1]) throw new PkiFormatError(`no ${label} PEM block`);
  return Buffer.from(match[1].replace(/\s+/g, ''), 'base64');
}
