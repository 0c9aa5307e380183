// The SSH transport framing the decoy enforces itself, ahead of the ssh2 library, with OpenSSH's
// limits: an identification line of at most 8 KiB that must start with "SSH-" (a server refuses
// other lines), then binary packets (RFC 4253 §6) whose declared length is checked before a byte
// of the packet is kept: 5 ≤ length ≤ 256 KiB and length + 4 a multiple of the 8-byte block.
// It follows the plaintext packets until the client's NEWKEYS; after that the length field is
// encrypted and the library's own check (35 000 bytes, before buffering) applies, made final by
// server.ts. Pure: bytes in, a verdict out; it holds a few bytes of state, never a packet.

/** OpenSSH's SSH_MAX_BANNER_LEN: longest identification (or pre-banner) line, in bytes. */
export const MAX_IDENTIFICATION_BYTES = 8192;
/** OpenSSH's PACKET_MAX_SIZE (packet.c): the largest packet length it accepts. */
export const PACKET_MAX_SIZE = 256 * 1024;
/** Smallest packet length: the padding-length byte and the minimum 4 bytes of padding. */
export const PACKET_MIN_SIZE = 1 + 4;
/** Cipher block size before keys are in use: packet length + 4 is a multiple of it. */
const PLAINTEXT_BLOCK = 8;
/** SSH_MSG_NEWKEYS: after the client's, its packets are encrypted. */
const MSG_NEWKEYS = 21;

/** Why a stream was refused. */
export type FrameViolation =
  | {
      readonly frame: 'identification';
      readonly problem: 'too_long' | 'not_ssh';
      readonly declared: number;
      readonly limit: number;
    }
  | {
      readonly frame: 'packet';
      readonly problem: 'too_long' | 'too_short' | 'misaligned';
      readonly declared: number;
      readonly limit: number;
    };

type Phase = 'identification' | 'length' | 'body' | 'encrypted' | 'refused';

/** Follows one client's byte stream; {@link push} returns the first violation, then stays refused. */
export class SshFrameGuard {
  private phase: Phase = 'identification';
  private lineBytes = 0;
  private lineHead = '';
  private length = 0;
  private lengthBytes = 0;
  /** Bytes of the current packet body still to skip. */
  private remaining = 0;
  /** Position in the body of the next byte (1 is the message type: byte 0 is the padding length). */
  private position = 0;
  /** The current packet's message type, once its second body byte went by. */
  private messageType = -1;
  private refusal: FrameViolation | null = null;

  /** True once the client's NEWKEYS went by: lengths are encrypted from here on. */
  get encrypted(): boolean {
    return this.phase === 'encrypted';
  }

  /** Follows `chunk`; returns the violation it contains, or null. After a violation, every call returns it again. */
  push(chunk: Uint8Array): FrameViolation | null {
    if (this.phase === 'refused') return this.refusal;
    let at = 0;
    while (at < chunk.length) {
      switch (this.phase) {
        case 'encrypted':
          return null;
        case 'identification': {
          const lf = chunk.indexOf(10, at);
          const end = lf < 0 ? chunk.length : lf;
          if (this.lineHead.length < 4)
            this.lineHead += Buffer.from(chunk.subarray(at, Math.min(end, at + 4 - this.lineHead.length))).toString(
              'latin1',
            );
          this.lineBytes += end - at;
          if (this.lineBytes > MAX_IDENTIFICATION_BYTES)
            return this.refuse({
              frame: 'identification',
              problem: 'too_long',
              declared: this.lineBytes,
              limit: MAX_IDENTIFICATION_BYTES,
            });
          if (this.lineHead.length >= 4 && this.lineHead !== 'SSH-') {
            return this.refuse({
              frame: 'identification',
              problem: 'not_ssh',
              declared: this.lineBytes,
              limit: MAX_IDENTIFICATION_BYTES,
            });
          }
          if (lf < 0) return null;
          if (this.lineHead !== 'SSH-')
            return this.refuse({
              frame: 'identification',
              problem: 'not_ssh',
              declared: this.lineBytes,
              limit: MAX_IDENTIFICATION_BYTES,
            });
          this.phase = 'length';
          at = lf + 1;
          break;
        }
        case 'length': {
          while (this.lengthBytes < 4 && at < chunk.length) {
            this.length = this.length * 256 + (chunk[at] as number);
            this.lengthBytes++;
            at++;
          }
          if (this.lengthBytes < 4) return null;
          const declared = this.length;
          if (declared > PACKET_MAX_SIZE)
            return this.refuse({ frame: 'packet', problem: 'too_long', declared, limit: PACKET_MAX_SIZE });
          if (declared < PACKET_MIN_SIZE)
            return this.refuse({ frame: 'packet', problem: 'too_short', declared, limit: PACKET_MAX_SIZE });
          if ((declared + 4) % PLAINTEXT_BLOCK !== 0)
            return this.refuse({ frame: 'packet', problem: 'misaligned', declared, limit: PACKET_MAX_SIZE });
          this.remaining = declared;
          this.position = 0;
          this.phase = 'body';
          break;
        }
        case 'body': {
          const take = Math.min(this.remaining, chunk.length - at);
          if (this.position <= 1 && this.position + take > 1)
            this.messageType = chunk[at + 1 - this.position] as number;
          this.position += take;
          this.remaining -= take;
          at += take;
          if (this.remaining > 0) return null;
          this.length = 0;
          this.lengthBytes = 0;
          this.phase = this.messageType === MSG_NEWKEYS ? 'encrypted' : 'length';
          this.messageType = -1;
          break;
        }
      }
    }
    return null;
  }

  private refuse(violation: FrameViolation): FrameViolation {
    this.phase = 'refused';
    this.refusal = violation;
    return violation;
  }
}
