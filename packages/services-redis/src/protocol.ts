// The Redis connection as a pure state machine: RESP requests in, RESP replies out, every
// command logged (`command`: cmd, args) and every AUTH captured (`auth`). Answers like a stock
// Redis 7 without protected mode; the keyspace and CONFIG live in a shared bounded RedisStore.
import { StepBuilder, credentialFields, type EventTypeOf, type ProtocolMachine } from '@decnet/decky-kit';
import { createRespParser, type RespCommand } from './resp.js';
import type { RedisStore } from './store.js';

/** Redis event types (see the decky-kit catalogue). */
export type RedisEvent = EventTypeOf<'redis'>;

/** Options of {@link createRedisMachine}. */
export interface RedisMachineOptions {
  /** `redis_version` in INFO. */
  readonly version: string;
  /** `os` in INFO. */
  readonly os: string;
  /** When set, commands need AUTH with this password first (requirepass). */
  readonly requirePass?: string;
  /** The keyspace shared by the service's connections. */
  readonly store: RedisStore;
  /** Seconds since the service started (INFO uptime). */
  readonly uptimeS: () => number;
  /** The 40-hex run id of this server. */
  readonly runId: string;
  /** Process id shown in INFO. */
  readonly pid: number;
  readonly port: number;
}

/** Longest `args` text kept in a `command` event. */
export const MAX_LOGGED_ARGS_CHARS = 1024;
/** Most KEYS results returned in one reply. */
const MAX_KEYS_REPLY = 1000;

const CRLF = '\r\n';
const NO_BYTES = new Uint8Array(0);
const simple = (s: string): string => `+${s}${CRLF}`;
const err = (s: string): string => `-${s}${CRLF}`;
const int = (n: number): string => `:${n}${CRLF}`;
const NIL = `$-1${CRLF}`;
const bulk = (b: Buffer | string): Buffer => {
  const body = typeof b === 'string' ? Buffer.from(b) : b;
  return Buffer.concat([Buffer.from(`$${body.length}${CRLF}`), body, Buffer.from(CRLF)]);
};
const array = (items: readonly (Buffer | string)[]): Buffer => Buffer.concat([Buffer.from(`*${items.length}${CRLF}`), ...items.map((i) => bulk(i))]);

/** Commands answered before AUTH when requirepass is set. */
const NO_AUTH_NEEDED = new Set(['AUTH', 'HELLO', 'QUIT', 'RESET']);

/** The INFO text: the sections redis-cli and scanners read first. */
function infoText(o: RedisMachineOptions, db0Keys: number): string {
  const uptime = Math.max(0, Math.floor(o.uptimeS()));
  const lines = [
    '# Server',
    `redis_version:${o.version}`,
    'redis_git_sha1:00000000',
    'redis_git_dirty:0',
    'redis_build_id:a1d7b3c0e8e5d3f6',
    'redis_mode:standalone',
    `os:${o.os}`,
    'arch_bits:64',
    'monotonic_clock:POSIX clock_gettime',
    'multiplexing_api:epoll',
    'atomicvar_api:c11-builtin',
    'gcc_version:11.4.0',
    `process_id:${o.pid}`,
    'process_supervised:systemd',
    `run_id:${o.runId}`,
    `tcp_port:${o.port}`,
    `uptime_in_seconds:${uptime}`,
    `uptime_in_days:${Math.floor(uptime / 86_400)}`,
    'hz:10',
    'configured_hz:10',
    'executable:/usr/bin/redis-server',
    'config_file:/etc/redis/redis.conf',
    '',
    '# Clients',
    'connected_clients:1',
    'blocked_clients:0',
    '',
    '# Memory',
    'used_memory:1101608',
    'used_memory_human:1.05M',
    'used_memory_peak_human:1.21M',
    'maxmemory:0',
    'maxmemory_human:0B',
    'maxmemory_policy:noeviction',
    'mem_allocator:jemalloc-5.2.1',
    '',
    '# Persistence',
    'loading:0',
    'rdb_changes_since_last_save:0',
    'rdb_bgsave_in_progress:0',
    'rdb_last_bgsave_status:ok',
    'aof_enabled:0',
    '',
    '# Stats',
    'total_connections_received:112',
    'total_commands_processed:2961',
    'rejected_connections:0',
    '',
    '# Replication',
    'role:master',
    'connected_slaves:0',
    '',
    '# CPU',
    'used_cpu_sys:4.217610',
    'used_cpu_user:6.023488',
    '',
    '# Keyspace',
    ...(db0Keys > 0 ? [`db0:keys=${db0Keys},expires=0,avg_ttl=0`] : []),
    '',
  ];
  return lines.join(CRLF);
}

/** Text of an argument for logs and error messages. */
const str = (b: Buffer | undefined): string => (b ? b.toString('utf8') : '');

/** Creates one connection's Redis machine. */
export function createRedisMachine(options: RedisMachineOptions): ProtocolMachine<RedisEvent> {
  const parser = createRespParser();
  const store = options.store;
  let db = 0;
  let authed = options.requirePass === undefined;
  let closed = false;
  /** True when the last step stopped at its output budget with requests still buffered. */
  let stoppedEarly = false;

  const unknown = (name: string, args: RespCommand): string =>
    err(`ERR unknown command '${name.slice(0, 128)}', with args beginning with: ${args.slice(0, 4).map((a) => `'${str(a).slice(0, 64)}' `).join('')}`.replace(/[\r\n]/g, ' '));
  const arity = (name: string): string => err(`ERR wrong number of arguments for '${name.toLowerCase()}' command`);

  const run = (b: StepBuilder<RedisEvent>, args: RespCommand): void => {
    const name = str(args[0]).toUpperCase();
    const rest = args.slice(1);
    if (name === 'AUTH') {
      if (rest.length < 1 || rest.length > 2) return void b.reply(arity(name));
      const user = rest.length === 2 ? str(rest[0]) : null;
      const password = rest[rest.length - 1] as Buffer;
      const success = options.requirePass !== undefined && (user === null || user === 'default') && password.toString('utf8') === options.requirePass;
      b.event('auth', { ...credentialFields(password, { principal: user, outcome: success ? 'success' : 'failure' }) });
      if (options.requirePass === undefined && user === null)
        return void b.reply(err('ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?'));
      if (!success) return void b.reply(err('WRONGPASS invalid username-password pair or user is disabled.'));
      authed = true;
      return void b.reply(simple('OK'));
    }
    const logged = rest.map((a) => str(a)).join(' ');
    b.event('command', { cmd: name.slice(0, 64), args: logged.length > MAX_LOGGED_ARGS_CHARS ? `${logged.slice(0, MAX_LOGGED_ARGS_CHARS)}…` : logged });
    if (!authed && !NO_AUTH_NEEDED.has(name)) return void b.reply(err('NOAUTH Authentication required.'));
    switch (name) {
      case 'PING':
        return void b.reply(rest.length === 0 ? simple('PONG') : rest.length === 1 ? bulk(rest[0] as Buffer) : arity(name));
      case 'ECHO':
        return void b.reply(rest.length === 1 ? bulk(rest[0] as Buffer) : arity(name));
      case 'QUIT':
        b.reply(simple('OK'));
        closed = true;
        b.close();
        return;
      case 'HELLO':
        return void b.reply(rest.length > 0 && str(rest[0]) !== '2' ? err('NOPROTO unsupported protocol version') : unknown('HELLO', rest));
      case 'INFO':
        return void b.reply(bulk(infoText(options, store.size(0))));
      case 'SELECT': {
        const n = /^\d{1,2}$/.test(str(rest[0])) ? Number(str(rest[0])) : -1;
        if (rest.length !== 1) return void b.reply(arity(name));
        if (n < 0 || n > 15) return void b.reply(err(/^-?\d+$/.test(str(rest[0])) ? 'ERR DB index is out of range' : 'ERR value is not an integer or out of range'));
        db = n;
        return void b.reply(simple('OK'));
      }
      case 'CONFIG': {
        const sub = str(rest[0]).toUpperCase();
        if (sub === 'GET' && rest.length >= 2) return void b.reply(array(rest.slice(1).flatMap((p) => store.configGet(str(p)))));
        if (sub === 'SET' && rest.length >= 3 && rest.length % 2 === 1) {
          for (let i = 1; i < rest.length; i += 2) if (!store.configSet(str(rest[i]), str(rest[i + 1]))) return void b.reply(err('ERR CONFIG SET failed'));
          return void b.reply(simple('OK'));
        }
        if (sub === 'RESETSTAT' || sub === 'REWRITE') return void b.reply(simple('OK'));
        return void b.reply(rest.length === 0 ? arity(name) : err(`ERR unknown subcommand '${sub.slice(0, 64)}'. Try CONFIG HELP.`.replace(/[\r\n]/g, ' ')));
      }
      case 'KEYS':
        return void b.reply(rest.length === 1 ? array(store.keys(db, str(rest[0]), MAX_KEYS_REPLY)) : arity(name));
      case 'GET': {
        if (rest.length !== 1) return void b.reply(arity(name));
        const v = store.get(db, str(rest[0]));
        return void b.reply(v ? bulk(v) : NIL);
      }
      case 'SET':
      case 'SETNX': {
        if (rest.length < 2) return void b.reply(arity(name));
        const key = str(rest[0]);
        const nx = name === 'SETNX' || rest.slice(2).some((a) => str(a).toUpperCase() === 'NX');
        if (nx && store.get(db, key)) return void b.reply(name === 'SETNX' ? int(0) : NIL);
        if (!store.set(db, key, rest[1] as Buffer)) return void b.reply(err("OOM command not allowed when used memory > 'maxmemory'."));
        return void b.reply(name === 'SETNX' ? int(1) : simple('OK'));
      }
      case 'DEL':
      case 'UNLINK':
        return void b.reply(rest.length < 1 ? arity(name) : int(rest.filter((k) => store.del(db, str(k))).length));
      case 'EXISTS':
        return void b.reply(rest.length < 1 ? arity(name) : int(rest.filter((k) => store.get(db, str(k)) !== undefined).length));
      case 'TYPE':
        return void b.reply(rest.length === 1 ? simple(store.get(db, str(rest[0])) ? 'string' : 'none') : arity(name));
      case 'TTL':
      case 'PTTL':
        return void b.reply(rest.length === 1 ? int(store.get(db, str(rest[0])) ? -1 : -2) : arity(name));
      case 'EXPIRE':
      case 'PEXPIRE':
        return void b.reply(rest.length >= 2 ? int(store.get(db, str(rest[0])) ? 1 : 0) : arity(name));
      case 'DBSIZE':
        return void b.reply(int(store.size(db)));
      case 'FLUSHALL':
      case 'FLUSHDB':
        store.flush(name === 'FLUSHALL' ? null : db);
        return void b.reply(simple('OK'));
      case 'SAVE':
        return void b.reply(simple('OK'));
      case 'BGSAVE':
        return void b.reply(simple('Background saving started'));
      case 'LASTSAVE':
        return void b.reply(int(1_700_000_000));
      case 'SLAVEOF':
      case 'REPLICAOF':
        return void b.reply(rest.length === 2 ? simple('OK') : arity(name));
      case 'MODULE':
        if (str(rest[0]).toUpperCase() === 'LIST') return void b.reply(array([]));
        return void b.reply(err('ERR Error loading the extension. Please check the server logs.'));
      case 'CLIENT': {
        const sub = str(rest[0]).toUpperCase();
        if (sub === 'SETNAME' || sub === 'SETINFO' || sub === 'NO-EVICT' || sub === 'REPLY') return void b.reply(simple('OK'));
        if (sub === 'ID') return void b.reply(int(7));
        if (sub === 'GETNAME') return void b.reply(NIL);
        if (sub === 'LIST') return void b.reply(bulk('id=7 addr=127.0.0.1:40000 laddr=127.0.0.1:6379 fd=8 name= age=0 idle=0 flags=N db=0 cmd=client|list\n'));
        return void b.reply(err(`ERR unknown subcommand '${sub.slice(0, 64)}'. Try CLIENT HELP.`.replace(/[\r\n]/g, ' ')));
      }
      case 'COMMAND':
        return void b.reply(str(rest[0]).toUpperCase() === 'COUNT' ? int(240) : array([]));
      case 'TIME':
        return void b.reply(array([String(1_700_000_000 + Math.floor(options.uptimeS())), '0']));
      case 'ROLE':
        return void b.reply(Buffer.concat([Buffer.from(`*3${CRLF}`), bulk('master'), Buffer.from(int(0)), Buffer.from(`*0${CRLF}`)]));
      default:
        return void b.reply(unknown(name, rest));
    }
  };

  return {
    start() {
      return new StepBuilder<RedisEvent>().build();
    },
    feed(chunk) {
      const b = new StepBuilder<RedisEvent>();
      if (closed) return b.build();
      // Requests are parsed and answered one at a time until the step's output budget is full
      // (KEYS * or GET of a big value pipelined 10 000 times would otherwise build gigabytes);
      // the rest stays as bytes in the parser until the pump feeds again.
      let input: Uint8Array = chunk;
      stoppedEarly = false;
      for (;;) {
        if (b.full) {
          stoppedEarly = parser.pending > 0;
          break;
        }
        const { commands, error } = parser.push(input, 1);
        input = NO_BYTES;
        const c = commands[0];
        if (c) {
          run(b, c);
          if (closed) return b.build();
          continue;
        }
        if (error !== null) {
          b.reply(err(`ERR Protocol error: ${error}`));
          closed = true;
          b.close();
        }
        break;
      }
      return b.build();
    },
    pending() {
      return !closed && stoppedEarly;
    },
    held() {
      return parser.pending;
    },
    end() {
      closed = true;
      return new StepBuilder<RedisEvent>().build();
    },
  };
}
