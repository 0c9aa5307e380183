// The slice of ASN.1 DER that X.509 certificates need: an encoder for the types a certificate
// is built from, and a reader that walks TLVs (to take a subject name out of an existing CA).
import { PkiFormatError } from './errors.js';

/** Universal and context tags used here. */
export const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  PRINTABLE_STRING: 0x13,
  IA5_STRING: 0x16,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function encodeLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV with raw contents. */
export function tlv(tag: number, contents: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), encodeLength(contents.length), contents]);
}

/** SEQUENCE of already-encoded elements. */
export function sequence(...elements: Uint8Array[]): Buffer {
  return tlv(TAG.SEQUENCE, Buffer.concat(elements));
}

/** SET of already-encoded elements (callers pass one element, so DER ordering never matters). */
export function set(...elements: Uint8Array[]): Buffer {
  return tlv(TAG.SET, Buffer.concat(elements));
}

/** `[n]` EXPLICIT: a constructed context tag wrapping one encoded element. */
export function explicit(n: number, element: Uint8Array): Buffer {
  return tlv(0xa0 | n, element);
}

/** `[n]` IMPLICIT on a primitive type: a context tag with the raw contents. */
export function implicitPrimitive(n: number, contents: Uint8Array): Buffer {
  return tlv(0x80 | n, contents);
}

/** INTEGER from big-endian unsigned bytes (a leading zero is added when the top bit is set). */
export function integerFromBytes(bytes: Uint8Array): Buffer {
  let start = 0;
  while (start < bytes.length - 1 && bytes[start] === 0 && ((bytes[start + 1] as number) & 0x80) === 0) start++;
  const body = Buffer.from(bytes.subarray(start));
  return tlv(TAG.INTEGER, body.length === 0 || ((body[0] as number) & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), body]) : body);
}

/** INTEGER from a small non-negative number. */
export function integer(value: number): Buffer {
  const bytes: number[] = [];
  let n = value;
  do {
    bytes.unshift(n & 0xff);
    n = Math.floor(n / 256);
  } while (n > 0);
  return integerFromBytes(Uint8Array.from(bytes));
}

/** BOOLEAN. */
export function boolean(value: boolean): Buffer {
  return tlv(TAG.BOOLEAN, Buffer.from([value ? 0xff : 0x00]));
}

/** OBJECT IDENTIFIER from dotted text (`2.5.4.3`). */
export function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const [first = 0, second = 0, ...rest] = arcs;
  const out: number[] = [];
  for (const arc of [first * 40 + second, ...rest]) {
    const chunk: number[] = [arc & 0x7f];
    for (let n = Math.floor(arc / 128); n > 0; n = Math.floor(n / 128)) chunk.unshift((n & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

/** BIT STRING with no unused bits (keys, signatures). */
export function bitString(bytes: Uint8Array): Buffer {
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), bytes]));
}

/**
 * BIT STRING of named bits (KeyUsage): bit 0 is the most significant bit of the first byte;
 * trailing zero bits are dropped as DER requires.
 */
export function namedBits(bits: readonly number[]): Buffer {
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(highest / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)] = (bytes[Math.floor(bit / 8)] as number) | (0x80 >> bit % 8);
  const unused = 7 - (highest % 8);
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** OCTET STRING. */
export function octetString(bytes: Uint8Array): Buffer {
  return tlv(TAG.OCTET_STRING, bytes);
}

/** UTF8String. */
export function utf8String(text: string): Buffer {
  return tlv(TAG.UTF8_STRING, Buffer.from(text, 'utf8'));
}

/** IA5String (ASCII): DNS names in a subjectAltName. */
export function ia5String(text: string): Buffer {
  return tlv(TAG.IA5_STRING, Buffer.from(text, 'ascii'));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, always in seconds and `Z`. */
export function time(date: Date): Buffer {
  const iso = date.toISOString();
  const digits = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  return date.getUTCFullYear() < 2050
    ? tlv(TAG.UTC_TIME, Buffer.from(digits.slice(2), 'ascii'))
    : tlv(TAG.GENERALIZED_TIME, Buffer.from(digits, 'ascii'));
}

/** One decoded TLV: its tag, where its contents are, and where it ends. */
export interface Tlv {
  readonly tag: number;
  /** The whole element, header included. */
  readonly raw: Buffer;
  readonly contents: Buffer;
  /** Offset just past the element in the buffer it was read from. */
  readonly end: number;
}

/**
 * Reads the TLV at `offset`. Only definite lengths of up to 4 bytes are accepted (DER).
 * @throws PkiFormatError when the bytes are not a well-formed element.
 */
export function readTlv(buf: Buffer, offset = 0): Tlv {
  if (offset + 2 > buf.length) throw new PkiFormatError('DER element truncated');
  const tag = buf[offset] as number;
  if ((tag & 0x1f) === 0x1f) throw new PkiFormatError('DER high tag numbers are not supported');
  let length = buf[offset + 1] as number;
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4) throw new PkiFormatError('DER length form not supported');
    if (offset + 2 + count > buf.length) throw new PkiFormatError('DER length truncated');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + (buf[offset + 2 + i] as number);
    header += count;
  }
  const end = offset + header + length;
  if (end > buf.length) throw new PkiFormatError('DER contents truncated');
  return { tag, raw: buf.subarray(offset, end), contents: buf.subarray(offset + header, end), end };
}

/**
 * The children of a constructed element.
 * @throws PkiFormatError on malformed contents.
 */
export function readChildren(element: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let offset = 0;
  while (offset < element.contents.length) {
    const child = readTlv(element.contents, offset);
    out.push(child);
    offset = child.end;
  }
  return out;
}
