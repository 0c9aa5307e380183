// The ssh service on the ssh2 server: the kit's listener admits each socket (caps, idle timeout,
// session identity) and injects it into one shared ssh2 Server, behind the decoy's own framing
// guard (OpenSSH's identification and packet-length limits, checked before buffering) and a
// parser that stops at the first protocol error. Every password and keyboard-interactive attempt
// becomes an auth_attempt credential event; accepted logins get the kit's fake shell on pty/shell
// and exec channels (at most SSH_MAX_SESSIONS); each channel ends with session_recorded.
import { createHash } from 'node:crypto';
import ssh2 from 'ssh2';
import type { AuthContext, Connection, ServerChannel, Session } from 'ssh2';
import { everyNth } from '@decnet/core';
import {
  ShellSession,
  credentialFields,
  makeProfile,
  matchesCredential,
  normalizeRemoteIp,
  type CredentialPair,
  type RunningService,
  type ServiceRuntime,
  type TcpConnection,
} from '@decnet/decky-kit';
import { SshFrameGuard, type FrameViolation } from './frame-guard.js';
import { loadOrCreateHostKeys, type HostKeyType } from './host-keys.js';
import type { SshOptions } from './options.js';
import { INFLATE_CAPPED } from './ssh2-limits.js';

/** Algorithms in OpenSSH 8.9's order (of those ssh2 implements), so the KEXINIT looks like Ubuntu's sshd. */
export const OPENSSH_ALGORITHMS = {
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ],
  cipher: ['chacha20-poly1305@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr', 'aes128-gcm@openssh.com', 'aes256-gcm@openssh.com'],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha1-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512', 'hmac-sha1'],
  compress: INFLATE_CAPPED ? ['none', 'zlib@openssh.com'] : ['none'],
} as const;

/** Methods offered after `none`, as an sshd with keyboard-interactive enabled lists them. */
const METHODS = ['publickey', 'password', 'keyboard-interactive'] as const;
/** Longest user name kept in events. */
const MAX_USERNAME_CHARS = 256;

/** The decision and event for one password-like attempt. Pure. */
export function judgeAttempt(
  accept: readonly CredentialPair[],
  username: string,
  secret: Buffer,
  method: 'password' | 'keyboard-interactive',
): { ok: boolean; fields: Record<string, string | undefined> } {
  const ok = matchesCredential(accept, username, secret.toString('utf8'));
  return { ok, fields: { username: username.slice(0, MAX_USERNAME_CHARS), method, ...credentialFields(secret, { principal: username.slice(0, MAX_USERNAME_CHARS), outcome: ok ? 'success' : 'failure' }) } };
}

/** `SHA256:<base64>` of a public key blob, as ssh-keygen -l prints it. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

interface Context {
  readonly options: SshOptions;
  readonly runtime: ServiceRuntime<'ssh'>;
  readonly accept: readonly CredentialPair[];
}

function handleAuth(ctx: AuthContext, connection: TcpConnection<'ssh'>, state: { fails: number; user: string }, c: Context, client: Connection): void {
  const session = connection.session;
  const fail = (): void => {
    state.fails++;
    if (state.fails >= c.options.maxAuthTries) {
      ctx.reject();
      client.end();
      return;
    }
    ctx.reject([...METHODS]);
  };
  switch (ctx.method) {
    case 'password': {
      const r = judgeAttempt(c.accept, ctx.username, Buffer.from(ctx.password, 'utf8'), 'password');
      session.emit('auth_attempt', r.fields);
      if (r.ok) {
        state.user = ctx.username;
        ctx.accept();
      } else fail();
      return;
    }
    case 'keyboard-interactive':
      ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => {
        const answer = answers[0] ?? '';
        const r = judgeAttempt(c.accept, ctx.username, Buffer.from(answer, 'utf8'), 'keyboard-interactive');
        session.emit('auth_attempt', r.fields);
        if (r.ok) {
          state.user = ctx.username;
          ctx.accept();
        } else fail();
      });
      return;
    case 'publickey':
      session.emit('auth_publickey', { username: ctx.username.slice(0, MAX_USERNAME_CHARS), key_type: ctx.key.algo, fingerprint: fingerprint(ctx.key.data) });
      ctx.reject([...METHODS]);
      return;
    default:
      ctx.reject([...METHODS]);
  }
}

function runChannel(stream: ServerChannel, shell: ShellSession, connection: TcpConnection<'ssh'>, exec: string | null): void {
  const session = connection.session;
  let recorded = false;
  const record = (): void => {
    if (recorded) return;
    recorded = true;
    session.emit('session_recorded', { ...shell.summary(), channel: exec === null ? 'shell' : 'exec' });
  };
  stream.on('error', () => undefined);
  stream.on('close', record);
  connection.onClose(record);
  if (exec !== null) {
    const r = shell.exec(exec);
    for (const e of r.events) session.emit(e.type, e.fields);
    if (r.output) stream.write(r.output);
    stream.exit(r.exitCode);
    stream.end();
    return;
  }
  const banner = shell.start();
  if (banner) stream.write(banner);
  // Output waits for the client's window; while it does (or the shell stopped at its per-step
  // budget) the channel is not read, so the client is flow-controlled instead of our memory growing.
  let waiting = false;
  const feed = (text: string): void => {
    const out = shell.feed(text);
    for (const e of out.events) session.emit(e.type, e.fields);
    const flushed = out.output ? stream.write(out.output) : true;
    if (out.exit) {
      stream.exit(0);
      stream.end();
      return;
    }
    if (flushed && !shell.hasPendingInput()) return;
    if (waiting) return;
    waiting = true;
    stream.pause();
    const resume = (): void => {
      waiting = false;
      if (connection.closeReason !== null) return;
      stream.resume();
      if (shell.hasPendingInput()) feed('');
    };
    if (flushed) setImmediate(resume);
    else stream.once('drain', resume);
  };
  stream.on('data', (data: Buffer) => feed(data.toString('utf8')));
}

/** The session channels of one connection: how many are open and what their streams buffer. */
interface Channels {
  open: number;
  readonly streams: Set<ServerChannel>;
}

function handleSession(accept: () => Session, connection: TcpConnection<'ssh'>, c: Context, user: string, sessions: Channels): void {
  const s = accept();
  sessions.open++;
  s.once('close', () => sessions.open--);
  let pty = false;
  let used = false;
  const identity = connection.session.identity;
  const newShell = (channel: 'shell' | 'exec'): ShellSession =>
    new ShellSession({
      profile: makeProfile({ hostname: c.options.hostname ?? c.runtime.hostname, user, clientIp: identity.srcIp, ip: identity.dstIp }),
      service: 'ssh',
      pty: pty && channel === 'shell',
      channel,
      lastLoginFrom: identity.srcIp,
    });
  s.on('pty', (acceptPty) => {
    pty = true;
    acceptPty?.();
  });
  s.on('window-change', (acceptChange) => acceptChange?.());
  s.on('env', (acceptEnv) => acceptEnv?.());
  s.on('signal', (acceptSignal) => acceptSignal?.());
  s.on('auth-agent', (_a, reject) => reject?.());
  s.on('x11', (_a, reject) => reject?.());
  s.on('sftp', (_a, reject) => reject?.());
  s.on('subsystem', (_a, reject) => reject?.());
  const track = (stream: ServerChannel): ServerChannel => {
    sessions.streams.add(stream);
    stream.once('close', () => sessions.streams.delete(stream));
    return stream;
  };
  s.on('shell', (acceptShell, reject) => {
    if (used) return reject?.();
    used = true;
    runChannel(track(acceptShell()), newShell('shell'), connection, null);
  });
  s.on('exec', (acceptExec, reject, info) => {
    if (used) return reject?.();
    used = true;
    runChannel(track(acceptExec()), newShell('exec'), connection, info.command);
  });
}

/**
 * Closes a connection whose framing broke OpenSSH's limits: nothing more is read (the library
 * refuses the same frame before buffering it), the event says what was declared, and a bad
 * identification line gets sshd's answer.
 */
function refuseFrame(connection: TcpConnection<'ssh'>, v: FrameViolation): void {
  connection.holdInput('frame_refused');
  connection.session.emit('frame_refused', { frame: v.frame, problem: v.problem, declared_bytes: v.declared, limit_bytes: v.limit }, { severity: 'warning' });
  if (v.frame === 'identification') connection.write('Invalid SSH identification string.\r\n');
  connection.end('error');
  // Nothing is owed to a client that declared an oversized packet (sshd drops it as corrupt).
  if (v.frame === 'packet') connection.socket.destroy();
}

/**
 * ssh2 keeps feeding its parser after the parser threw (it only half-closes), so a packet length
 * it refused stays its state and the next bytes are buffered into a packet of that length. The
 * first error is final here: the parser is never called again and nothing more is read.
 */
function stopParsingAtFirstError(client: Connection, connection: TcpConnection<'ssh'>): void {
  const proto = (client as unknown as { _protocol?: { parse?: (chunk: Buffer, i: number, len: number) => void } })._protocol;
  const parse = proto?.parse;
  if (!proto || typeof parse !== 'function') {
    connection.end('error');
    return;
  }
  let failed = false;
  proto.parse = (chunk, i, len) => {
    if (failed) return;
    try {
      parse.call(proto, chunk, i, len);
    } catch (err) {
      failed = true;
      connection.holdInput('protocol_error');
      if (/packet length/i.test((err as Error).message)) {
        connection.session.emit('frame_refused', { frame: 'packet', problem: 'bad_length', limit_bytes: MAX_LIBRARY_PACKET_BYTES }, { severity: 'warning' });
      }
      connection.end('error');
      connection.socket.destroy();
      throw err;
    }
  };
}

/** ssh2's MAX_PACKET_SIZE: the packet length its deciphers accept once keys are in use (below OpenSSH's 256 KiB). */
export const MAX_LIBRARY_PACKET_BYTES = 35_000;

/** Starts the ssh service on `options.port`. */
export async function startSsh(options: SshOptions, runtime: ServiceRuntime<'ssh'>): Promise<RunningService> {
  const hostKeys = loadOrCreateHostKeys(options.hostKeyDir, options.hostKeyTypes.split(',') as HostKeyType[]);
  const c: Context = {
    options,
    runtime,
    accept: [{ username: 'root', password: options.rootPassword }, { username: options.user, password: options.userPassword }, ...options.accept],
  };
  // ssh2 reports a client by address; the kit's connection is found by the same key.
  const pending = new Map<string, TcpConnection<'ssh'>>();
  const key = (ip: string | undefined, port: number | undefined): string => `${normalizeRemoteIp(ip ?? '')}:${port ?? 0}`;

  const server = new ssh2.Server(
    {
      hostKeys,
      ident: options.version,
      ...(options.banner !== undefined ? { banner: options.banner } : {}),
      algorithms: {
        kex: [...OPENSSH_ALGORITHMS.kex],
        cipher: [...OPENSSH_ALGORITHMS.cipher],
        hmac: [...OPENSSH_ALGORITHMS.hmac],
        compress: [...OPENSSH_ALGORITHMS.compress],
      },
    } as ssh2.ServerConfig,
    (client: Connection, info) => {
      const connection = pending.get(key(info.ip, info.port));
      if (!connection) {
        client.end();
        return;
      }
      const session = connection.session;
      stopParsingAtFirstError(client, connection);
      session.emit('client_version', { client_version: info.header.identRaw.slice(0, 255) });
      const state = { fails: 0, user: '' };
      client.on('error', () => connection.end('error'));
      client.on('authentication', (ctx) => {
        try {
          handleAuth(ctx, connection, state, c, client);
        } catch (err) {
          runtime.log.warn('ssh authentication handler failed', { err: (err as Error).message });
          client.end();
        }
      });
      client.on('ready', () => {
        connection.clearDeadline('login');
        const sessions: Channels = { open: 0, streams: new Set() };
        // A paused channel can hold its whole window (2 MiB) of client data: the byte budget counts it.
        connection.reportHeld(() => {
          let held = 0;
          for (const stream of sessions.streams) held += stream.readableLength + stream.writableLength;
          return held;
        });
        client.on('session', (acceptSession, rejectSession) => {
          // OpenSSH's MaxSessions: each shell holds an editor, history and a filesystem overlay.
          if (sessions.open >= options.maxSessions) return rejectSession();
          handleSession(acceptSession, connection, c, state.user, sessions);
        });
        client.on('tcpip', (_accept, reject, req) => {
          session.emit('command', { cmd: `direct-tcpip ${String(req.destIP).slice(0, 255)}:${req.destPort}`, channel: 'tcpip', user: state.user });
          reject();
        });
        client.on('request', (_accept, reject) => reject?.());
      });
    },
  );
  const warnServer = everyNth(runtime.log, 'warn', 'ssh server error', 1000);
  server.on('error', (err: Error) => warnServer({ err: err.message }));

  const listener = await runtime.listen({
    port: options.port,
    connectEvent: 'connect',
    disconnectEvent: 'disconnect',
    onConnection: (connection) => {
      const k = key(connection.socket.remoteAddress, connection.socket.remotePort);
      pending.set(k, connection);
      connection.onClose(() => pending.delete(k));
      // OpenSSH's LoginGraceTime: wall-clock from accept to a successful login; sshd closes silently.
      connection.armDeadline('login', options.loginGraceS * 1000);
      server.injectSocket(connection.socket);
      // ssh2 paused the socket and attaches its reader later, so this one runs first on every chunk.
      const guard = new SshFrameGuard();
      connection.socket.prependListener('data', (chunk: Buffer) => {
        if (guard.encrypted || connection.closeReason !== null) return;
        const violation = guard.push(chunk);
        if (violation) refuseFrame(connection, violation);
      });
    },
  });
  return { port: listener.port, close: () => listener.close() };
}
