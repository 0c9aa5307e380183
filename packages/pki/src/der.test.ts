import { BlockList } from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipBytes } from './certificate.js';
import { integer, integerFromBytes, namedBits, oid, readChildren, readTlv, sequence, time, tlv } from './der.js';
import { PkiFormatError } from './errors.js';
import { certNameProblem, parseSan } from './names.js';

const hex = (b: Buffer): string => b.toString('hex');

describe('the DER encoder writes canonical encodings', () => {
  it('encodes object identifiers with multi-byte arcs', () => {
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
  });
  it('encodes integers minimally and positive', () => {
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(2))).toBe('020102');
    expect(hex(integer(128))).toBe('02020080');
    expect(hex(integerFromBytes(Buffer.from([0, 0, 0x7f])))).toBe('02017f');
    expect(hex(integerFromBytes(Buffer.from([0xff])))).toBe('020200ff');
  });
  it('drops trailing zero bits of named bit strings', () => {
    expect(hex(namedBits([0]))).toBe('03020780');
    expect(hex(namedBits([5, 6]))).toBe('03020106');
  });
  it('uses UTCTime before 2050 and GeneralizedTime from 2050', () => {
    expect(time(new Date('2049-12-31T23:59:59Z')).toString('latin1')).toBe('\x17\x0d491231235959Z');
    expect(time(new Date('2050-01-01T00:00:00Z')).toString('latin1')).toBe('\x18\x0f20500101000000Z');
  });
  it('writes long-form lengths that the reader reads back', () => {
    const big = tlv(0x04, Buffer.alloc(300, 7));
    expect(hex(big.subarray(0, 4))).toBe('0482012c');
    const parsed = readTlv(sequence(big, integer(5)));
    expect(readChildren(parsed).map((c) => c.contents.length)).toEqual([300, 1]);
  });
  it('refuses truncated or indefinite input with a typed error', () => {
    for (const bad of ['30', '3005020101', '3080', '1f0100', '308500000000010000']) {
      expect(() => readTlv(Buffer.from(bad, 'hex')), bad).toThrow(PkiFormatError);
    }
  });
  it('never fails any other way on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          const t = readTlv(Buffer.from(bytes));
          if ((t.tag & 0x20) !== 0) readChildren(t);
        } catch (err) {
          if (!(err instanceof PkiFormatError)) throw err;
        }
      }),
    );
  });
});

describe('IP subjectAltNames encode the address node parses', () => {
  it('maps every IPv4 and IPv6 text form to the same 4 or 16 bytes', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (address) => {
        const bytes = ipBytes(address);
        const v6 = address.includes(':');
        expect(bytes.length).toBe(v6 ? 16 : 4);
        const text = v6 ? Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16)).join(':') : [...bytes].join('.');
        const list = new BlockList();
        list.addAddress(text, v6 ? 'ipv6' : 'ipv4');
        expect(list.check(address, v6 ? 'ipv6' : 'ipv4')).toBe(true);
      }),
    );
  });
  it('classifies SAN text as IP or DNS and rejects junk', () => {
    expect(parseSan('10.0.0.1')).toEqual({ type: 'ip', value: '10.0.0.1' });
    expect(parseSan('[::1]')).toEqual({ type: 'ip', value: '::1' });
    expect(parseSan('dns:*.example.org')).toEqual({ type: 'dns', value: '*.example.org' });
    expect(parseSan('host-1.lan')).toEqual({ type: 'dns', value: 'host-1.lan' });
    for (const bad of ['', 'IP:999.1.1.1', 'a..b', 'under_score', 'IP:fe80::1%eth0', 'x'.repeat(254)]) {
      expect(() => parseSan(bad), bad).toThrow();
    }
  });
  it('accepts host names of up to 64 characters as certificate names', () => {
    expect(certNameProblem('agent-01')).toBeNull();
    expect(certNameProblem('a.b.c')).toBeNull();
    expect(certNameProblem('a'.repeat(65))).toMatch(/longer/);
  });
});
