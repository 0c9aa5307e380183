// Limits the ssh2 library does not apply itself, installed once when the service loads: the
// zlib@openssh.com reader inflates each packet with no output cap (a 35 KB packet can become
// ~35 MB), so its output is capped at OpenSSH's PACKET_MAX_SIZE; past it the reader throws, the
// parser stops (server.ts) and the connection closes. When the library's shape has changed and
// the cap cannot be installed, compression is simply not offered.
import ssh2Zlib from 'ssh2/lib/protocol/zlib.js';
import { PACKET_MAX_SIZE } from './frame-guard.js';

/** Most bytes one compressed packet may inflate to. */
export const MAX_INFLATED_PACKET_BYTES = PACKET_MAX_SIZE;

interface ZlibReaderShape {
  read(this: { _zlib?: { _maxOutputLength?: number } }, data: Uint8Array): Buffer;
}

function installInflateCap(): boolean {
  const proto = (
    ssh2Zlib as { ZlibPacketReader?: { prototype?: Partial<ZlibReaderShape> & { __decnetCapped?: boolean } } }
  ).ZlibPacketReader?.prototype;
  if (!proto || typeof proto.read !== 'function') return false;
  if (proto.__decnetCapped) return true;
  const read = proto.read;
  proto.read = function cappedRead(this: { _zlib?: { _maxOutputLength?: number } }, data: Uint8Array): Buffer {
    if (!this._zlib || typeof this._zlib._maxOutputLength !== 'number')
      throw new Error('ssh2 zlib reader without an output cap');
    this._zlib._maxOutputLength = MAX_INFLATED_PACKET_BYTES;
    return read.call(this, data);
  };
  proto.__decnetCapped = true;
  return true;
}

/** True when compressed packets are capped (then zlib@openssh.com may be offered, as OpenSSH does). */
export const INFLATE_CAPPED = installInflateCap();
