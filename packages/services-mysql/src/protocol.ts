// The MySQL connection phase as a pure state machine: handshake v10 out, HandshakeResponse41 in
// (with an AuthSwitchRequest to mysql_native_password when the client picked another plugin),
// the scramble captured with the salt needed to crack it offline, then ERR 1045. No sockets, no
// timers; the salt and connection id come from options.
import { StepBuilder, credentialFields, toHex, type EventTypeOf, type ProtocolMachine } from '@decnet/decky-kit';

/** MySQL event types (see the decky-kit catalogue). */
export type MysqlEvent = EventTypeOf<'mysql'>;

/** Options of {@link createMysqlMachine}. */
export interface MysqlMachineOptions {
  /** Server version in the greeting. */
  readonly version: string;
  /** Connection id in the greeting (below 2^24, as a server that has not run for years). */
  readonly connectionId: number;
  /** 20 bytes of salt (each 1..127, no NUL), the auth-plugin-data. */
  readonly salt: Uint8Array;
  /** The client's address, as MySQL names it in "Access denied for user 'u'@'host'". */
  readonly clientHost: string;
  /** Wall-clock limit from connect to the end of the handshake (ms). @default DEFAULT_CONNECT_DEADLINE_MS */
  readonly connectDeadlineMs?: number;
}

/** MySQL's connect_timeout (10 s): the handshake must end within it, or the server hangs up silently. */
export const DEFAULT_CONNECT_DEADLINE_MS = 10_000;

/** Largest client packet read in the connection phase (a handshake response is well under 1 KiB). */
export const MAX_MYSQL_PACKET_BYTES = 16 * 1024;
/** The only plugin whose response is captured; others are switched to it. */
export const NATIVE_PLUGIN = 'mysql_native_password';
/** Longest user/database name kept. */
const MAX_NAME_CHARS = 256;

const CLIENT_CONNECT_WITH_DB = 0x8;
const CLIENT_PROTOCOL_41 = 0x200;
const CLIENT_SSL = 0x800;
const CLIENT_SECURE_CONNECTION = 0x8000;
const CLIENT_PLUGIN_AUTH = 0x80000;
const CLIENT_PLUGIN_AUTH_LENENC = 0x200000;
/** MySQL 8's capabilities minus SSL and compression (both would hide the exchange). */
const SERVER_CAPABILITIES = 0x81fff7df;

/** A generated random salt suitable for {@link MysqlMachineOptions.salt}. */
export function mysqlSalt(random: Uint8Array): Uint8Array {
  return Uint8Array.from(random.subarray(0, 20), (b) => (b % 127) + 1);
}

/** Frames `payload` as a packet with sequence id `seq`. */
export function mysqlPacket(seq: number, payload: Buffer): Buffer {
  const header = Buffer.alloc(4);
  header.writeUIntLE(payload.length, 0, 3);
  header[3] = seq & 0xff;
  return Buffer.concat([header, payload]);
}

/** The handshake v10 payload. */
export function handshakeV10(o: MysqlMachineOptions): Buffer {
  const caps = Buffer.alloc(4);
  caps.writeUInt32LE(SERVER_CAPABILITIES >>> 0);
  const id = Buffer.alloc(4);
  id.writeUInt32LE(o.connectionId >>> 0);
  return Buffer.concat([
    Buffer.from([0x0a]),
    Buffer.from(`${o.version}\0`, 'latin1'),
    id,
    Buffer.from(o.salt.subarray(0, 8)),
    Buffer.from([0]),
    caps.subarray(0, 2),
    Buffer.from([0xff]),
    Buffer.from([0x02, 0x00]),
    caps.subarray(2, 4),
    Buffer.from([21]),
    Buffer.alloc(10),
    Buffer.from(o.salt.subarray(8, 20)),
    Buffer.from([0]),
    Buffer.from(`${NATIVE_PLUGIN}\0`, 'latin1'),
  ]);
}

/** An ERR packet payload. */
export function errPayload(code: number, state: string, message: string): Buffer {
  const head = Buffer.alloc(3);
  head[0] = 0xff;
  head.writeUInt16LE(code, 1);
  return Buffer.concat([head, Buffer.from(`#${state}`, 'latin1'), Buffer.from(message, 'utf8')]);
}

/** What a HandshakeResponse41 carried. */
export interface HandshakeResponse {
  readonly capabilities: number;
  readonly username: string;
  readonly authResponse: Buffer;
  readonly database: string;
  readonly plugin: string;
  /** The client asked for TLS (an SSLRequest: the packet ends after the fixed part). */
  readonly sslRequest: boolean;
}

/** Reads a NUL-terminated string at `at`; null when unterminated. */
function cstring(buf: Buffer, at: number): { value: string; next: number } | null {
  const nul = buf.indexOf(0, at);
  if (nul < 0) return null;
  return { value: buf.toString('utf8', at, nul), next: nul + 1 };
}

/** Parses a HandshakeResponse41 payload; null when it is not one. Never throws. */
export function parseHandshakeResponse(p: Buffer): HandshakeResponse | null {
  if (p.length < 32) return null;
  const capabilities = p.readUInt32LE(0);
  if ((capabilities & CLIENT_PROTOCOL_41) === 0) return null;
  if (p.length === 32) return { capabilities, username: '', authResponse: Buffer.alloc(0), database: '', plugin: '', sslRequest: (capabilities & CLIENT_SSL) !== 0 };
  const user = cstring(p, 32);
  if (!user) return null;
  let at = user.next;
  let authResponse: Buffer;
  if (capabilities & CLIENT_PLUGIN_AUTH_LENENC) {
    const first = p[at];
    if (first === undefined) return null;
    let len = first;
    let skip = 1;
    if (first === 0xfc) {
      if (at + 3 > p.length) return null;
      len = p.readUInt16LE(at + 1);
      skip = 3;
    } else if (first >= 0xfb) return null;
    if (at + skip + len > p.length) return null;
    authResponse = Buffer.from(p.subarray(at + skip, at + skip + len));
    at += skip + len;
  } else if (capabilities & CLIENT_SECURE_CONNECTION) {
    const len = p[at];
    if (len === undefined || at + 1 + len > p.length) return null;
    authResponse = Buffer.from(p.subarray(at + 1, at + 1 + len));
    at += 1 + len;
  } else {
    const s = cstring(p, at);
    if (!s) return null;
    authResponse = Buffer.from(s.value, 'utf8');
    at = s.next;
  }
  let database = '';
  if (capabilities & CLIENT_CONNECT_WITH_DB && at < p.length) {
    const s = cstring(p, at);
    if (!s) return null;
    database = s.value;
    at = s.next;
  }
  let plugin = '';
  if (capabilities & CLIENT_PLUGIN_AUTH && at < p.length) {
    const s = cstring(p, at);
    plugin = s ? s.value : p.toString('latin1', at);
  }
  return { capabilities, username: user.value.slice(0, MAX_NAME_CHARS), authResponse, database: database.slice(0, MAX_NAME_CHARS), plugin: plugin.slice(0, 64), sslRequest: false };
}

type Stage = 'handshake' | 'switch' | 'done';

/** Creates one connection's MySQL machine. */
export function createMysqlMachine(options: MysqlMachineOptions): ProtocolMachine<MysqlEvent> {
  let buffer: Buffer = Buffer.alloc(0);
  let stage: Stage = 'handshake';
  let pending: HandshakeResponse | null = null;
  let closed = false;

  const fail = (b: StepBuilder<MysqlEvent>, seq: number, code: number, state: string, message: string): void => {
    b.reply(mysqlPacket(seq, errPayload(code, state, message)));
    stage = 'done';
    closed = true;
    b.close();
  };

  const capture = (b: StepBuilder<MysqlEvent>, seq: number, r: HandshakeResponse, scramble: Buffer, switched: boolean): void => {
    b.event('auth', {
      username: r.username,
      connection_id: options.connectionId,
      database: r.database,
      client_plugin: r.plugin,
      switched,
      salt: toHex(options.salt),
      ...credentialFields(scramble, { principal: r.username, kind: 'mysql_native_password', printable: toHex(scramble), outcome: 'failure' }),
    });
    fail(b, seq, 1045, '28000', `Access denied for user '${r.username}'@'${options.clientHost}' (using password: ${scramble.length > 0 ? 'YES' : 'NO'})`);
  };

  const onPacket = (b: StepBuilder<MysqlEvent>, seq: number, payload: Buffer): void => {
    if (stage === 'handshake') {
      const r = parseHandshakeResponse(payload);
      if (!r) return fail(b, seq + 1, 1043, '08S01', 'Bad handshake');
      if (r.sslRequest) return fail(b, seq + 1, 1043, '08S01', 'Bad handshake');
      if (r.plugin === '' || r.plugin === NATIVE_PLUGIN) return capture(b, seq + 1, r, r.authResponse, false);
      pending = r;
      stage = 'switch';
      b.reply(mysqlPacket(seq + 1, Buffer.concat([Buffer.from([0xfe]), Buffer.from(`${NATIVE_PLUGIN}\0`, 'latin1'), Buffer.from(options.salt), Buffer.from([0])])));
      return;
    }
    if (stage === 'switch' && pending) capture(b, seq + 1, pending, payload, true);
  };

  return {
    start() {
      return new StepBuilder<MysqlEvent>()
        .event('connect', { connection_id: options.connectionId })
        .reply(mysqlPacket(0, handshakeV10(options)))
        .deadline('handshake', options.connectDeadlineMs ?? DEFAULT_CONNECT_DEADLINE_MS)
        .build();
    },
    held() {
      return buffer.length;
    },
    expire() {
      closed = true;
      buffer = Buffer.alloc(0);
      return new StepBuilder<MysqlEvent>().close().build();
    },
    feed(chunk) {
      const b = new StepBuilder<MysqlEvent>();
      if (closed) return b.build();
      buffer = buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([buffer, chunk]);
      while (!closed && buffer.length >= 4) {
        const length = buffer.readUIntLE(0, 3);
        const seq = buffer[3] as number;
        if (length > MAX_MYSQL_PACKET_BYTES) {
          fail(b, seq + 1, 1153, '08S01', "Got a packet bigger than 'max_allowed_packet' bytes");
          break;
        }
        if (buffer.length < 4 + length) break;
        const payload = buffer.subarray(4, 4 + length);
        buffer = buffer.subarray(4 + length);
        onPacket(b, seq, Buffer.from(payload));
      }
      if (closed) buffer = Buffer.alloc(0);
      return b.build();
    },
    end() {
      closed = true;
      buffer = Buffer.alloc(0);
      return new StepBuilder<MysqlEvent>().build();
    },
  };
}
