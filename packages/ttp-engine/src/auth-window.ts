// Per-attacker counters the credential lifters need and no producer computes: failed attempts in
// the window, distinct passwords per account, and whether a brute force preceded a success.
// Bounded (least recently active sources are forgotten) and clock-free (callers pass times).
import type { CredentialWindowSettings } from './engine.js';

/** Sources (attacker addresses) tracked at once; beyond this the least recently active go. */
export const MAX_TRACKED_SOURCES = 20_000;
/** Failures remembered per source; more than any threshold needs. */
const MAX_FAILURES_PER_SOURCE = 1_000;
/** Accounts remembered per source. */
const MAX_ACCOUNTS_PER_SOURCE = 200;
/** Distinct passwords remembered per account. */
const MAX_PASSWORDS_PER_ACCOUNT = 200;
/** How long a brute force counts as "prior" for a later successful login. */
export const PRIOR_BRUTE_MEMORY_MS = 24 * 60 * 60 * 1000;

/** One authentication attempt. */
export interface AuthAttempt {
  readonly source: string;
  readonly username?: string;
  /** The secret, or its hash: only distinctness matters. */
  readonly secret?: string;
  readonly outcome: 'success' | 'failure' | 'other';
  /** Epoch milliseconds of the attempt. */
  readonly at: number;
}

/** Counters as of one attempt (what the lifters read). */
export interface AuthCounters {
  /** Failed attempts by the source within the window, this one included. */
  readonly fail_count: number;
  /** Distinct secrets tried against this username within the window. */
  readonly password_count: number;
  /** The source crossed the failure threshold within {@link PRIOR_BRUTE_MEMORY_MS} before this attempt. */
  readonly prior_brute: boolean;
}

interface SourceState {
  failures: number[];
  accounts: Map<string, Map<string, number>>;
  bruteAt: number | undefined;
}

/**
 * Sliding-window counters per source.
 *
 * ```ts
 * const w = new AuthWindow({ failThreshold: 5, pwThreshold: 5, windowMs: 300_000 });
 * w.observe({ source: '198.51.100.7', username: 'root', secret: 'x', outcome: 'failure', at: Date.now() });
 * ```
 */
export class AuthWindow {
  private readonly sources = new Map<string, SourceState>();

  constructor(readonly settings: CredentialWindowSettings) {}

  /** Sources currently tracked. */
  get size(): number {
    return this.sources.size;
  }

  /** Records `attempt` and returns the counters as of it. */
  observe(attempt: AuthAttempt): AuthCounters {
    const state = this.touch(attempt.source);
    const since = attempt.at - this.settings.windowMs;
    state.failures = state.failures.filter((t) => t > since && t <= attempt.at);
    const priorBrute = state.bruteAt !== undefined && state.bruteAt <= attempt.at && attempt.at - state.bruteAt <= PRIOR_BRUTE_MEMORY_MS;
    if (attempt.outcome === 'failure') {
      state.failures.push(attempt.at);
      if (state.failures.length > MAX_FAILURES_PER_SOURCE) state.failures.splice(0, state.failures.length - MAX_FAILURES_PER_SOURCE);
      if (state.failures.length >= this.settings.failThreshold) state.bruteAt = attempt.at;
    }
    let passwordCount = 0;
    if (attempt.username !== undefined) {
      let secrets = state.accounts.get(attempt.username);
      if (!secrets) {
        secrets = new Map();
        if (state.accounts.size >= MAX_ACCOUNTS_PER_SOURCE) {
          const oldest = state.accounts.keys().next().value;
          if (oldest !== undefined) state.accounts.delete(oldest);
        }
        state.accounts.set(attempt.username, secrets);
      }
      for (const [secret, at] of secrets) if (at <= since) secrets.delete(secret);
      if (attempt.secret !== undefined && attempt.outcome !== 'success') {
        secrets.delete(attempt.secret);
        secrets.set(attempt.secret, attempt.at);
        if (secrets.size > MAX_PASSWORDS_PER_ACCOUNT) {
          const oldest = secrets.keys().next().value;
          if (oldest !== undefined) secrets.delete(oldest);
        }
      }
      passwordCount = secrets.size;
    }
    return { fail_count: state.failures.length, password_count: passwordCount, prior_brute: priorBrute };
  }

  private touch(source: string): SourceState {
    let state = this.sources.get(source);
    if (state) {
      this.sources.delete(source);
    } else {
      state = { failures: [], accounts: new Map(), bruteAt: undefined };
      if (this.sources.size >= MAX_TRACKED_SOURCES) {
        const oldest = this.sources.keys().next().value;
        if (oldest !== undefined) this.sources.delete(oldest);
      }
    }
    // Re-inserting keeps the map ordered by last activity.
    this.sources.set(source, state);
    return state;
  }
}
