// The Docker engine as the docker CLI and its HTTP ping see it: probe the engine named by
// DOCKER_HOST, run `docker <args>` with bounded output capture, and read its JSON answers
// defensively (compose ps, network inspect).
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import type { ContainerState } from '@decnet/topology';
import { DockerCommandError, MAX_STDERR_CHARS } from './errors.js';

/** How long the Docker engine gets to answer its ping. */
const DOCKER_PING_TIMEOUT_MS = 3_000;

/** How long a docker query (inspect, rm, ps, network create) may take before it is killed. */
export const DOCKER_QUERY_TIMEOUT_MS = 60_000;

/** Captured stdout kept per docker command; beyond this the head is dropped (ps of ~1000 containers fits). */
const MAX_CAPTURE_CHARS = 8 * 1024 * 1024;

/** Result of probing the Docker engine. */
export type DockerProbe = { ok: true; endpoint: string } | { ok: false; endpoint: string; reason: string };

/**
 * Pings the Docker engine named by DOCKER_HOST (unix:// or tcp://), else the default socket,
 * with GET /_ping. Resolves ok only for a 200 "OK" answer; never rejects.
 */
export function probeDocker(env: Record<string, string | undefined>, timeoutMs = DOCKER_PING_TIMEOUT_MS): Promise<DockerProbe> {
  const endpoint = env['DOCKER_HOST'] || 'unix:///var/run/docker.sock';
  let target: { socketPath: string } | { host: string; port: number };
  if (endpoint.startsWith('unix://')) target = { socketPath: endpoint.slice('unix://'.length) };
  else if (endpoint.startsWith('tcp://')) {
    const u = new URL(`http://${endpoint.slice('tcp://'.length)}`);
    target = { host: u.hostname, port: Number(u.port || 2375) };
  } else return Promise.resolve({ ok: false, endpoint, reason: 'unsupported DOCKER_HOST scheme (use unix:// or tcp://)' });
  return new Promise((done) => {
    const req = request({ ...target, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c.slice(0, 64)));
      res.on('end', () => {
        if (res.statusCode === 200 && body.trim() === 'OK') done({ ok: true, endpoint });
        else done({ ok: false, endpoint, reason: `unexpected answer to /_ping (HTTP ${res.statusCode ?? '?'})` });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (err) => done({ ok: false, endpoint, reason: (err as NodeJS.ErrnoException).code ?? err.message }));
    req.end();
  });
}

/** The one-line error for an unreachable engine, naming where decnet looked and how to change it. */
export function noEngineMessage(probe: DockerProbe & { ok: false }, env: Record<string, string | undefined>): string {
  const source = env['DOCKER_HOST'] ? 'from DOCKER_HOST' : 'the default socket; set DOCKER_HOST to use another engine';
  return `no Docker engine reachable at ${probe.endpoint} (${probe.reason}; ${source})`;
}

/** What a docker command printed and how it ended. */
export interface DockerResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Options of {@link runDocker}. */
export interface RunDockerOptions {
  /** Receives output as it arrives (progress of a long `compose up`). */
  readonly onOutput?: (text: string, stream: 'stdout' | 'stderr') => void;
  /** Kill the command after this long; `undefined` waits forever (builds can take many minutes). */
  readonly timeoutMs?: number;
}

/**
 * Runs `docker <args>` with `env` and resolves with its exit status and output, whatever the
 * status. Rejects with DockerCommandError only when docker cannot be started at all.
 */
export function runDocker(args: readonly string[], env: Record<string, string | undefined>, options: RunDockerOptions = {}): Promise<DockerResult> {
  return new Promise((done, fail) => {
    const child = spawn('docker', args, { env, stdio: ['ignore', 'pipe', 'pipe'], ...(options.timeoutMs !== undefined ? { timeout: options.timeoutMs } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (c: string) => {
      options.onOutput?.(c, 'stdout');
      stdout = (stdout + c).slice(-MAX_CAPTURE_CHARS);
    });
    child.stderr.on('data', (c: string) => {
      options.onOutput?.(c, 'stderr');
      stderr = (stderr + c).slice(-MAX_STDERR_CHARS);
    });
    child.on('error', (err) => fail(new DockerCommandError(args, null, `cannot run docker: ${(err as NodeJS.ErrnoException).code ?? err.message}`, { cause: err })));
    child.on('close', (code, signal) => done({ code: code ?? 1, stdout, stderr: signal ? `${stderr}\nkilled by ${signal} (timeout ${options.timeoutMs ?? '-'} ms)` : stderr }));
  });
}

/**
 * Reads `docker compose ps --format json`: a JSON array (older Compose) or one object per line
 * (Compose 2.21+). Lines that are not container objects are skipped; never throws.
 */
export function parseComposePs(text: string): ContainerState[] {
  const trimmed = text.trim();
  let items: unknown[] = [];
  if (trimmed.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(trimmed);
      if (Array.isArray(parsed)) items = parsed;
    } catch {
      items = [];
    }
  } else {
    for (const line of trimmed.split('\n')) {
      try {
        items.push(JSON.parse(line));
      } catch {
        // Not JSON: a warning line or garbage.
      }
    }
  }
  const states: ContainerState[] = [];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) continue;
    const { Service, State, ExitCode } = item as Record<string, unknown>;
    if (typeof Service !== 'string' || typeof State !== 'string') continue;
    states.push({ service: Service, state: State.toLowerCase(), exitCode: typeof ExitCode === 'number' && State.toLowerCase() !== 'running' ? ExitCode : null });
  }
  return states;
}

/** Id and subnets of a network from `docker network inspect` output; undefined when unreadable. */
export function parseNetworkInspect(text: string): { id: string; subnets: string[] } | undefined {
  try {
    const parsed: unknown = JSON.parse(text);
    const net = (Array.isArray(parsed) ? parsed[0] : undefined) as { Id?: unknown; IPAM?: { Config?: { Subnet?: unknown }[] | null } } | undefined;
    if (!net || typeof net.Id !== 'string') return undefined;
    const subnets = (net.IPAM?.Config ?? []).map((c) => c.Subnet).filter((x): x is string => typeof x === 'string');
    return { id: net.Id, subnets };
  } catch {
    return undefined;
  }
}
