// One delivery: resolve and check the target once, then POST the signed body to the checked
// address (Host header and TLS name from the URL), with a hard per-request timeout, no redirects
// followed, and retries after 1, 2, 4 s (±20% jitter) on network errors, timeouts, 5xx and 429
// only. A receiver that answers garbage, hangs or streams forever costs at most the timeout.
import { promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { sleep } from '@decnet/core';
import { renderBody, type DeliveryEvent, type WebhookFormat } from './handlers/formats.js';
import type { Cidr } from './handlers/ip-guard.js';
import { EVENT_ID_HEADER, EVENT_TOPIC_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signatureFor } from './handlers/signing.js';
import { checkUrl, resolveTarget, type Lookup, type RefusalReason, type Target } from './handlers/target.js';

/** Sent as User-Agent (upstream's). */
export const USER_AGENT = 'decnet-webhook/1.0';
/** Longest a name resolution may take before the delivery is refused (fail closed). */
export const DNS_TIMEOUT_MS = 5_000;
/** Largest response header block accepted; a bigger one is a garbage response. */
const MAX_RESPONSE_HEADER_BYTES = 16 * 1024;
/** Characters of an error kept (the table's last_error holds 512). */
const MAX_ERROR_CHARS = 512;
/** Response body bytes read (and discarded) so a kept-alive connection can be reused; beyond, it is closed. */
const MAX_DRAIN_BYTES = 64 * 1024;
/** Longest a response body is drained for reuse (at most half the request timeout); then the connection is closed. */
const MAX_DRAIN_MS = 1_000;

/** The system resolver: every address, in the resolver's order, with a timeout. */
export const systemLookup: Lookup = async (hostname) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('lookup timed out'), { code: 'ETIMEOUT' })), DNS_TIMEOUT_MS);
  });
  try {
    const found = await Promise.race([dns.lookup(hostname, { all: true, verbatim: true }), timeout]);
    return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
  } finally {
    clearTimeout(timer);
  }
};

/** How deliveries are made (compiled options plus injectable effects). */
export interface DeliverySettings {
  readonly timeoutMs: number;
  /** Waits before each retry; empty = a single attempt. */
  readonly retryScheduleMs: readonly number[];
  readonly allow: readonly Cidr[];
  readonly lookup: Lookup;
  /** Uniform [0, 1) for the jitter. @default Math.random */
  readonly random?: () => number;
  /** Unix seconds for the signature timestamp. @default the wall clock */
  readonly nowS?: () => number;
  /**
   * Keep-alive agents (one lane's): connections to the checked address are reused. Agents pool
   * by address, so a connection is only reused for the address it was opened to.
   * @default none: one connection per request
   */
  readonly agents?: KeepAliveAgents;
}

/** The pair of agents one lane uses. */
export interface KeepAliveAgents {
  readonly http: http.Agent;
  readonly https: https.Agent;
}

/** Agents for one sequential lane: one kept-alive connection per address. */
export function createKeepAliveAgents(): KeepAliveAgents {
  const options = { keepAlive: true, maxSockets: 1, maxFreeSockets: 1 };
  return { http: new http.Agent(options), https: new https.Agent(options) };
}

/** The subscription fields a delivery needs. */
export interface DeliveryTarget {
  readonly url: string;
  readonly secret: string;
  /** Body format (a subscription's `format` column). */
  readonly format: WebhookFormat;
}

/** What one attempt got back. */
export type AttemptOutcome =
  | { readonly kind: 'status'; readonly status: number }
  | { readonly kind: 'network'; readonly error: string }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'aborted' };

/** How an attempt counts. */
export type AttemptClass = 'success' | 'retry' | 'fail';

/** The result of a delivery (after retries). */
export interface DeliveryResult {
  readonly ok: boolean;
  /** Last HTTP status, if any response came. */
  readonly status: number | null;
  /** Requests sent (0 when the target was refused before any). */
  readonly attempts: number;
  readonly error: string | null;
  /** Set when the SSRF guard or URL check refused the target. */
  readonly refused?: RefusalReason;
  /** True when the worker stopped during the delivery (not a receiver failure). */
  readonly aborted?: boolean;
}

/** 2xx succeeds; 429, 5xx, network errors and timeouts are retried; anything else (3xx included: redirects are never followed) fails. */
export function classifyAttempt(outcome: AttemptOutcome): AttemptClass {
  switch (outcome.kind) {
    case 'status':
      if (outcome.status >= 200 && outcome.status < 300) return 'success';
      if (outcome.status === 429 || outcome.status >= 500) return 'retry';
      return 'fail';
    case 'network':
    case 'timeout':
      return 'retry';
    case 'aborted':
      return 'fail';
  }
}

/** The waits before each retry: the schedule times a uniform factor in [0.8, 1.2]. */
export function retryDelays(scheduleMs: readonly number[], random: () => number = Math.random): number[] {
  return scheduleMs.map((ms) => Math.round(ms * (0.8 + 0.4 * random())));
}

function describeError(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return [e.code, e.message].filter(Boolean).join(': ') || String(err);
}

/**
 * Sends one POST to the checked address. Resolves with the status as soon as the response
 * headers arrive (the body is not read); never rejects.
 */
export function sendOnce(
  target: Target,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal?: AbortSignal,
  agents?: KeepAliveAgents,
): Promise<AttemptOutcome> {
  return new Promise((resolve) => {
    const { url } = target;
    const secure = url.protocol === 'https:';
    let settled = false;
    const options: https.RequestOptions = {
      host: target.address,
      family: target.family,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      method: 'POST',
      path: `${url.pathname}${url.search}`,
      headers: { ...headers, Host: url.host, 'Content-Length': String(Buffer.byteLength(body)) },
      agent: agents ? (secure ? agents.https : agents.http) : false,
      maxHeaderSize: MAX_RESPONSE_HEADER_BYTES,
      // The connection goes to the checked IP; the certificate must still match the URL's name.
      ...(secure && isIP(target.hostname) === 0 ? { servername: target.hostname } : {}),
    };
    const req = (secure ? https : http).request(options);
    const finish = (outcome: AttemptOutcome, keepConnection = false): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (!keepConnection) req.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish({ kind: 'aborted' });
    const timer = setTimeout(() => finish({ kind: 'timeout' }), timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res) => {
      res.on('error', () => undefined);
      if (!agents) {
        finish({ kind: 'status', status: res.statusCode ?? 0 });
        return;
      }
      // The status is the answer; the body is drained in the background so the connection can
      // be reused, but a body that is too big or never ends closes it instead.
      finish({ kind: 'status', status: res.statusCode ?? 0 }, true);
      let bytes = 0;
      const drainTimer = setTimeout(() => res.destroy(), Math.min(MAX_DRAIN_MS, timeoutMs / 2));
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_DRAIN_BYTES) res.destroy();
      });
      res.on('close', () => clearTimeout(drainTimer));
    });
    req.on('error', (err) => finish({ kind: 'network', error: describeError(err) }));
    if (signal?.aborted) finish({ kind: 'aborted' });
    else req.end(body);
  });
}

function clip(text: string): string {
  return text.length > MAX_ERROR_CHARS ? text.slice(0, MAX_ERROR_CHARS) : text;
}

function outcomeError(outcome: AttemptOutcome): string | null {
  switch (outcome.kind) {
    case 'status':
      if (outcome.status >= 300 && outcome.status < 400) return `HTTP ${outcome.status} (redirects are not followed)`;
      return outcome.status >= 200 && outcome.status < 300 ? null : `HTTP ${outcome.status}`;
    case 'network':
      return `network error: ${outcome.error}`;
    case 'timeout':
      return 'timed out';
    case 'aborted':
      return 'aborted (worker stopping)';
  }
}

/** The headers of one signed request. */
export function signedHeaders(secret: string, event: DeliveryEvent, body: string, nowS: number): Record<string, string> {
  const timestamp = String(Math.floor(nowS));
  return {
    'Content-Type': 'application/json',
    'User-Agent': USER_AGENT,
    [SIGNATURE_HEADER]: signatureFor(secret, timestamp, body),
    [TIMESTAMP_HEADER]: timestamp,
    [EVENT_ID_HEADER]: event.id,
    [EVENT_TOPIC_HEADER]: event.topic,
  };
}

/**
 * Delivers `event` to a subscription: one resolution and SSRF check, then up to
 * 1 + schedule.length attempts. Each attempt is signed afresh (its own timestamp).
 */
export async function deliver(sub: DeliveryTarget, event: DeliveryEvent, settings: DeliverySettings, signal?: AbortSignal): Promise<DeliveryResult> {
  const checked = checkUrl(sub.url);
  if (!checked.ok) return { ok: false, status: null, attempts: 0, error: clip(`refused: ${checked.detail}`), refused: checked.reason };
  const resolved = await resolveTarget(sub.url, settings.allow, settings.lookup);
  if (!resolved.ok) return { ok: false, status: null, attempts: 0, error: clip(`refused: ${resolved.detail}`), refused: resolved.reason };
  const body = renderBody(sub.format, event);
  const delays = retryDelays(settings.retryScheduleMs, settings.random);
  const now = settings.nowS ?? (() => Date.now() / 1000);
  let attempts = 0;
  let status: number | null = null;
  let error: string | null = null;
  for (;;) {
    const outcome = await sendOnce(resolved.target, body, signedHeaders(sub.secret, event, body, now()), settings.timeoutMs, signal, settings.agents);
    attempts++;
    if (outcome.kind === 'status') status = outcome.status;
    error = outcomeError(outcome);
    if (outcome.kind === 'aborted') return { ok: false, status, attempts, error, aborted: true };
    const verdict = classifyAttempt(outcome);
    if (verdict === 'success') return { ok: true, status, attempts, error: null };
    if (verdict === 'fail' || attempts > delays.length) return { ok: false, status, attempts, error: error === null ? null : clip(error) };
    if (!(await sleep(delays[attempts - 1] as number, signal))) return { ok: false, status, attempts, error, aborted: true };
  }
}
