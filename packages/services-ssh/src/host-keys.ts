// Host keys: generated once at first start in OpenSSH's own format and file names, persisted
// with owner-only permissions, and reused afterwards so the decky's fingerprint stays stable
// across restarts (a changing fingerprint is a honeypot tell).
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { DecnetError } from '@decnet/core';

/** A host key type this service can generate. */
export type HostKeyType = 'ed25519' | 'ecdsa' | 'rsa';

/** RSA modulus size: what ssh-keygen generates by default. */
export const RSA_BITS = 3072;

/** Thrown when the host key directory cannot be created or a key cannot be read or written. */
export class HostKeyError extends DecnetError {
  constructor(
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot read or create the ssh host key at ${path}`, options);
  }
}

/** `ssh_host_<type>_key`, as OpenSSH names them. */
export function hostKeyFile(dir: string, type: HostKeyType): string {
  return join(dir, `ssh_host_${type}_key`);
}

/**
 * Loads each host key of `types` from `dir`, generating and saving the missing ones (private key
 * 0600, public key `.pub` 0644, written to a temporary name then renamed).
 * @returns the private keys in OpenSSH format, in `types` order.
 * @throws HostKeyError when the directory or a key file is unusable.
 */
export function loadOrCreateHostKeys(dir: string, types: readonly HostKeyType[]): string[] {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new HostKeyError(dir, { cause: err });
  }
  return types.map((type) => {
    const file = hostKeyFile(dir, type);
    try {
      if (existsSync(file)) {
        const stored = readFileSync(file, 'utf8');
        // A key left unreadable (see below) is replaced rather than failing every start.
        if (!(ssh2.utils.parseKey(stored) instanceof Error)) return stored;
      }
      const pair = generateParsableKeyPair(type);
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, pair.private, { mode: 0o600 });
      chmodSync(tmp, 0o600);
      renameSync(tmp, file);
      writeFileSync(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 });
      return pair.private;
    } catch (err) {
      throw new HostKeyError(file, { cause: err });
    }
  });
}

/** Fresh keys tried before giving up: one bad key in ~250 makes ten in a row impossible in practice. */
const GENERATE_ATTEMPTS = 10;

/**
 * A new key pair of `type` that ssh2 can read back. ssh2's generator sometimes writes an ed25519
 * key its own parser rejects ("Malformed OpenSSH private key", about 1 in 250 here), which
 * stopped the decoy at start; such a key is thrown away and another generated.
 */
function generateParsableKeyPair(type: HostKeyType): { private: string; public: string } {
  for (let attempt = 1; ; attempt++) {
    const pair =
      type === 'rsa'
        ? ssh2.utils.generateKeyPairSync('rsa', { bits: RSA_BITS, comment: 'root@localhost' })
        : type === 'ecdsa'
          ? ssh2.utils.generateKeyPairSync('ecdsa', { bits: 256, comment: 'root@localhost' })
          : ssh2.utils.generateKeyPairSync('ed25519', { comment: 'root@localhost' });
    const parsed = ssh2.utils.parseKey(pair.private);
    if (!(parsed instanceof Error)) return pair;
    if (attempt >= GENERATE_ATTEMPTS) throw parsed;
  }
}
