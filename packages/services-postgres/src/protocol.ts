// The PostgreSQL connection start as a pure state machine: SSLRequest/GSSENCRequest refused with
// 'N', the StartupMessage read, AuthenticationMD5Password with the salt from options, the
// PasswordMessage captured in a crackable form, then FATAL 28P01. No sockets, no timers.
import { StepBuilder, credentialFields, toHex, type EventTypeOf, type ProtocolMachine } from '@decnet/decky-kit';

/** PostgreSQL event types (see the decky-kit catalogue). */
export type PostgresEvent = EventTypeOf<'postgres'>;

/** Options of {@link createPostgresMachine}. */
export interface PostgresMachineOptions {
  /** The 4-byte MD5 salt of this connection. */
  readonly salt: Uint8Array;
  /** Wall-clock limit from connect to the end of authentication (ms). @default DEFAULT_AUTH_DEADLINE_MS */
  readonly authDeadlineMs?: number;
}

/** PostgreSQL's authentication_timeout (1 min): start-up and password exchange must end within it. */
export const DEFAULT_AUTH_DEADLINE_MS = 60_000;

/** PostgreSQL's MAX_STARTUP_PACKET_LENGTH: a longer startup packet is dropped. */
export const MAX_STARTUP_BYTES = 10_000;
/** Largest password message read (PostgreSQL's limit for it is 1000). */
export const MAX_PASSWORD_MESSAGE_BYTES = 1000;
/** Most parameters kept from a startup packet. */
const MAX_STARTUP_PARAMS = 64;
/** Longest parameter value kept. */
const MAX_PARAM_CHARS = 256;

const SSL_REQUEST = 80_877_103;
const GSSENC_REQUEST = 80_877_104;
const CANCEL_REQUEST = 80_877_102;

/** An ErrorResponse message from `fields` (type letter → text). */
export function errorResponse(fields: readonly (readonly [string, string])[]): Buffer {
  const body = Buffer.concat([...fields.map(([k, v]) => Buffer.from(`${k}${v}\0`, 'utf8')), Buffer.from([0])]);
  const head = Buffer.alloc(5);
  head[0] = 0x45;
  head.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

/** A FATAL error as PostgreSQL 15 words it. */
function fatal(code: string, message: string, file: string, line: number, routine: string): Buffer {
  return errorResponse([['S', 'FATAL'], ['V', 'FATAL'], ['C', code], ['M', message], ['F', file], ['L', String(line)], ['R', routine]]);
}

/** Parses the `key\0value\0…\0` body of a StartupMessage; null when malformed. */
export function parseStartupParams(body: Buffer): Record<string, string> | null {
  const params: Record<string, string> = {};
  let at = 0;
  let count = 0;
  while (at < body.length) {
    if (body[at] === 0) return params;
    const keyEnd = body.indexOf(0, at);
    if (keyEnd < 0) return null;
    const valueEnd = body.indexOf(0, keyEnd + 1);
    if (valueEnd < 0) return null;
    if (++count <= MAX_STARTUP_PARAMS) params[body.toString('utf8', at, keyEnd).slice(0, 64)] = body.toString('utf8', keyEnd + 1, valueEnd).slice(0, MAX_PARAM_CHARS);
    at = valueEnd + 1;
  }
  return null;
}

/**
 * The captured secret: hashcat's PostgreSQL-challenge form `$postgres$<user>*<salt hex>*<hash hex>`,
 * so the attempt can be cracked or checked offline without any other field.
 */
export function md5ChallengeSecret(user: string, salt: Uint8Array, response: string): string {
  return `$postgres$${user}*${toHex(salt)}*${response.replace(/^md5/, '')}`;
}

type Stage = 'startup' | 'password' | 'done';

/** Creates one connection's PostgreSQL machine. */
export function createPostgresMachine(options: PostgresMachineOptions): ProtocolMachine<PostgresEvent> {
  let buffer: Buffer = Buffer.alloc(0);
  let stage: Stage = 'startup';
  let params: Record<string, string> = {};
  let closed = false;

  const finish = (b: StepBuilder<PostgresEvent>, reply?: Buffer): void => {
    if (reply) b.reply(reply);
    stage = 'done';
    closed = true;
    b.close();
  };

  /** Handles one complete startup-phase packet. */
  const startupPacket = (b: StepBuilder<PostgresEvent>, code: number, body: Buffer): void => {
    if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
      b.reply(Buffer.from('N'));
      return;
    }
    if (code === CANCEL_REQUEST) return finish(b);
    if (code >>> 16 !== 3) {
      return finish(b, fatal('0A000', `unsupported frontend protocol ${code >>> 16}.${code & 0xffff}: server supports 3.0 to 3.0`, 'postmaster.c', 2220, 'ProcessStartupPacket'));
    }
    const parsed = parseStartupParams(body);
    if (!parsed) return finish(b, fatal('08P01', 'invalid startup packet layout: expected terminator as last byte', 'postmaster.c', 2282, 'ProcessStartupPacket'));
    params = parsed;
    const user = params['user'] ?? '';
    if (user === '') return finish(b, fatal('28000', 'no PostgreSQL user name specified in startup packet', 'postmaster.c', 2328, 'ProcessStartupPacket'));
    stage = 'password';
    const auth = Buffer.alloc(13);
    auth[0] = 0x52;
    auth.writeUInt32BE(12, 1);
    auth.writeUInt32BE(5, 5);
    Buffer.from(options.salt.subarray(0, 4)).copy(auth, 9);
    b.reply(auth);
  };

  const passwordMessage = (b: StepBuilder<PostgresEvent>, type: number, body: Buffer): void => {
    if (type !== 0x70) {
      return finish(b, fatal('08P01', `expected password response, got message type ${type}`, 'auth.c', 741, 'recv_password_packet'));
    }
    const nul = body.indexOf(0);
    const response = body.toString('utf8', 0, nul < 0 ? body.length : nul);
    const user = params['user'] ?? '';
    const database = params['database'] ?? user;
    b.event('auth', {
      username: user,
      database,
      pw_hash: response,
      salt: toHex(options.salt),
      application_name: params['application_name'] ?? '',
      ...credentialFields(md5ChallengeSecret(user, options.salt, response), { principal: user, kind: 'postgres_md5_challenge', outcome: 'failure' }),
    });
    finish(b, fatal('28P01', `password authentication failed for user "${user}"`, 'auth.c', 326, 'auth_failed'));
  };

  return {
    start() {
      return new StepBuilder<PostgresEvent>().deadline('authentication', options.authDeadlineMs ?? DEFAULT_AUTH_DEADLINE_MS).build();
    },
    held() {
      return buffer.length;
    },
    expire() {
      const b = new StepBuilder<PostgresEvent>();
      finish(b, fatal('57014', 'canceling authentication due to timeout', 'postgres.c', 3281, 'ProcessInterrupts'));
      return b.build();
    },
    feed(chunk) {
      const b = new StepBuilder<PostgresEvent>();
      if (closed) return b.build();
      buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
      while (!closed) {
        if (stage === 'startup') {
          if (buffer.length < 4) break;
          const length = buffer.readUInt32BE(0);
          if (length < 8 || length > MAX_STARTUP_BYTES) {
            // PostgreSQL logs "invalid length of startup packet" and hangs up without a reply.
            finish(b);
            break;
          }
          if (buffer.length < length) break;
          const code = buffer.readUInt32BE(4);
          const body = Buffer.from(buffer.subarray(8, length));
          buffer = buffer.subarray(length);
          startupPacket(b, code, body);
        } else if (stage === 'password') {
          if (buffer.length < 5) break;
          const type = buffer[0] as number;
          const length = buffer.readUInt32BE(1);
          if (length < 4 || length > MAX_PASSWORD_MESSAGE_BYTES) {
            finish(b, fatal('08P01', `invalid message length`, 'pqcomm.c', 1536, 'pq_getmessage'));
            break;
          }
          if (buffer.length < 1 + length) break;
          const body = Buffer.from(buffer.subarray(5, 1 + length));
          buffer = buffer.subarray(1 + length);
          passwordMessage(b, type, body);
        } else break;
      }
      if (closed) buffer = Buffer.alloc(0);
      return b.build();
    },
    end() {
      closed = true;
      buffer = Buffer.alloc(0);
      return new StepBuilder<PostgresEvent>().build();
    },
  };
}
