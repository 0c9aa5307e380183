// The decoy's own SSH framing checks: OpenSSH's identification and packet-length limits apply
// before a byte of a packet is kept, for any split of the stream.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_IDENTIFICATION_BYTES, PACKET_MAX_SIZE, SshFrameGuard } from './frame-guard.js';

const IDENT = Buffer.from('SSH-2.0-OpenSSH_9.6\r\n');

/** A plaintext binary packet of `payload` with the padding RFC 4253 requires (block 8, at least 4). */
function packet(payload: Buffer): Buffer {
  let padding = 8 - ((4 + 1 + payload.length) % 8);
  if (padding < 4) padding += 8;
  const head = Buffer.alloc(5);
  head.writeUInt32BE(1 + payload.length + padding, 0);
  head[4] = padding;
  return Buffer.concat([head, payload, Buffer.alloc(padding)]);
}

function lengthOnly(declared: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(declared >>> 0, 0);
  return b;
}

describe('the SSH frame guard applies OpenSSH limits before buffering', () => {
  it('refuses a declared length of 0x7fffffff as soon as its four bytes arrive', () => {
    const g = new SshFrameGuard();
    expect(g.push(IDENT)).toBeNull();
    expect(g.push(lengthOnly(0x7fffffff))).toEqual({
      frame: 'packet',
      problem: 'too_long',
      declared: 0x7fffffff,
      limit: PACKET_MAX_SIZE,
    });
    expect(g.push(Buffer.alloc(10))?.problem).toBe('too_long');
  });

  it('accepts packets up to 256 KiB and refuses the first byte beyond, short and misaligned lengths', () => {
    const g = new SshFrameGuard();
    g.push(IDENT);
    expect(g.push(lengthOnly(PACKET_MAX_SIZE - 4))).toBeNull();
    expect(g.push(Buffer.alloc(PACKET_MAX_SIZE - 4))).toBeNull();
    expect(g.push(lengthOnly(PACKET_MAX_SIZE + 4))?.problem).toBe('too_long');
    const short = new SshFrameGuard();
    short.push(IDENT);
    expect(short.push(lengthOnly(4))?.problem).toBe('too_short');
    const odd = new SshFrameGuard();
    odd.push(IDENT);
    expect(odd.push(lengthOnly(13))?.problem).toBe('misaligned');
  });

  it('refuses an identification line over 8 KiB, or one that is not SSH-, like sshd', () => {
    const long = new SshFrameGuard();
    expect(long.push(Buffer.from(`SSH-2.0-${'x'.repeat(MAX_IDENTIFICATION_BYTES)}`))?.problem).toBe('too_long');
    expect(new SshFrameGuard().push(Buffer.from('GET / HTTP/1.0\r\n'))).toMatchObject({
      frame: 'identification',
      problem: 'not_ssh',
    });
    expect(new SshFrameGuard().push(Buffer.from('\r\nSSH-2.0-x\r\n'))?.problem).toBe('not_ssh');
  });

  it('stops checking at the client NEWKEYS, whatever the split', () => {
    const stream = Buffer.concat([
      IDENT,
      packet(Buffer.from([20, ...Array(40).fill(1)])),
      packet(Buffer.from([30, 1, 2, 3])),
      packet(Buffer.from([21])),
      lengthOnly(0x7fffffff),
    ]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: stream.length }), { maxLength: 12 }), (cuts) => {
        const g = new SshFrameGuard();
        const points = [...new Set(cuts)].sort((a, b) => a - b);
        let from = 0;
        for (const p of [...points, stream.length]) {
          expect(g.push(stream.subarray(from, p))).toBeNull();
          from = p;
        }
        expect(g.encrypted).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('finds a bad length after valid packets whatever the split', () => {
    const stream = Buffer.concat([IDENT, packet(Buffer.from([20, 9, 9])), lengthOnly(0x7fffffff), Buffer.alloc(64)]);
    fc.assert(
      fc.property(fc.integer({ min: 1, max: stream.length - 1 }), (cut) => {
        const g = new SshFrameGuard();
        const first = g.push(stream.subarray(0, cut));
        const second = g.push(stream.subarray(cut));
        expect((first ?? second)?.problem).toBe('too_long');
      }),
      { numRuns: 200 },
    );
  });
});
