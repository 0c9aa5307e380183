// Real protocol clients for service tests (ssh, sshpass, telnet, expect, curl, nmap, ...): finds
// them on PATH, installs the missing ones from Debian's packages when running as root (once per
// process), and otherwise fails naming the exact apt-get line. Plus a bounded way to run one.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { DecnetError } from '@decnet/core';

/** A client binary and the Debian package that provides it. */
export interface ClientSpec {
  readonly command: string;
  readonly aptPackage: string;
}

/** The clients the service suites use, by command name. */
export const CLIENTS = {
  ssh: { command: 'ssh', aptPackage: 'openssh-client' },
  sshpass: { command: 'sshpass', aptPackage: 'sshpass' },
  telnet: { command: 'telnet', aptPackage: 'telnet' },
  expect: { command: 'expect', aptPackage: 'expect' },
  curl: { command: 'curl', aptPackage: 'curl' },
  nmap: { command: 'nmap', aptPackage: 'nmap' },
  'redis-cli': { command: 'redis-cli', aptPackage: 'redis-tools' },
  mysql: { command: 'mysql', aptPackage: 'default-mysql-client' },
  psql: { command: 'psql', aptPackage: 'postgresql-client' },
  swaks: { command: 'swaks', aptPackage: 'swaks' },
} as const satisfies Record<string, ClientSpec>;

/** A client name from {@link CLIENTS}. */
export type ClientName = keyof typeof CLIENTS;

/** Thrown when clients are missing and cannot be installed here; the message is the apt-get line to run. */
export class MissingClientError extends DecnetError {
  constructor(
    readonly packages: readonly string[],
    readonly reason: string,
  ) {
    super(`missing test clients (${reason}); install them with:\n  apt-get install -y ${packages.join(' ')}`);
  }
}

/** How long one apt-get run may take (a cold package list plus nmap's dependencies). */
const APT_TIMEOUT_MS = 10 * 60_000;

/** True when `command` is on PATH. */
export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { stdio: 'ignore' }).status === 0;
}

function apt(args: string[]): Promise<{ ok: boolean; output: string }> {
  return new Promise((resolve) => {
    execFile(
      'apt-get',
      ['-o', 'DPkg::Lock::Timeout=600', ...args],
      { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, timeout: APT_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => resolve({ ok: !err, output: `${stdout}${stderr}`.slice(-2000) }),
    );
  });
}

const installs = new Map<string, Promise<void>>();

async function install(packages: string[]): Promise<void> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) throw new MissingClientError(packages, 'not running as root');
  let r = await apt(['install', '-y', '--no-install-recommends', ...packages]);
  if (!r.ok) {
    // A fresh machine has no package lists yet.
    await apt(['update']);
    r = await apt(['install', '-y', '--no-install-recommends', ...packages]);
  }
  if (!r.ok) throw new MissingClientError(packages, `apt-get failed: ${r.output.trim().split('\n').pop() ?? ''}`);
}

/**
 * Makes sure every named client is on PATH: installs the missing ones with apt-get when running
 * as root (each package once per process, however many suites ask), otherwise throws.
 * @throws MissingClientError naming `apt-get install -y <packages>` when they cannot be installed.
 */
export async function ensureClients(...names: ClientName[]): Promise<void> {
  const missing = names.map((n) => CLIENTS[n]).filter((c) => !hasCommand(c.command));
  if (missing.length === 0) return;
  const packages = [...new Set(missing.map((c) => c.aptPackage))].sort();
  const key = packages.join(' ');
  let pending = installs.get(key);
  if (!pending) {
    pending = install(packages);
    installs.set(key, pending);
  }
  await pending;
  const still = missing.filter((c) => !hasCommand(c.command));
  if (still.length > 0) throw new MissingClientError(still.map((c) => c.aptPackage), 'installed but not on PATH');
}

/** The outcome of {@link runClient}. */
export interface ClientResult {
  /** Exit status, or `null` when killed (see `timedOut`). */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Options of {@link runClient}. */
export interface RunClientOptions {
  /** Killed after this long. @default 30000 */
  readonly timeoutMs?: number;
  /** Written to stdin, which is then closed. */
  readonly input?: string;
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs a client to completion with a hard time limit; never rejects. */
export function runClient(command: string, args: readonly string[], options: RunClientOptions = {}): Promise<ClientResult> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env: { ...process.env, ...options.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 30_000);
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', (err) => {
      stderr += String(err);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, timedOut });
    });
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.input ?? '');
  });
}
