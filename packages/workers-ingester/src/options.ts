// The ingester's options: DECNET_INGESTER_* (and upstream's DECNET_TRUSTED_PROXIES) environment
// keys, their defaults (written once, here), validated together. The old DECNET_INGESTER_* names
// still work for one release, with a deprecation warning.
import type { BlockList } from 'node:net';
import { envReader, intIn, renamedPrefix, withDeprecatedKeys, type BusKind } from '@decnet/core';
import { parseTrustedProxies } from './bounty.js';
import type { AckMode } from './batcher.js';

/** Everything the ingester can be told; each field documents its environment key and default. */
export interface IngesterOptions {
  /** Events per transaction. @default 500 (DECNET_INGESTER_BATCH_SIZE, 1..5000) */
  batchSize: number;
  /** Longest an event waits for its batch to fill. @default 250 (DECNET_INGESTER_BATCH_MAX_WAIT_MS) */
  batchMaxWaitMs: number;
  /** A batch goes out once no event arrived for this long. @default 2 (DECNET_INGESTER_IDLE_FLUSH_MS) */
  idleFlushMs: number;
  /**
   * When an event is acknowledged to the bus: `commit` (after its batch committed: nothing is
   * lost on a crash) or `receive` (on arrival: faster on a bus that delivers one event at a
   * time, but a crash loses what was buffered). @default `receive` on the in-memory bus (which
   * loses its queue on a crash anyway), `commit` otherwise (DECNET_INGESTER_ACK)
   */
  ack: AckMode;
  /** Proxies whose forwarding headers are trusted (CIDRs). @default none (DECNET_TRUSTED_PROXIES) */
  trustedProxies: BlockList;
  /** Batches written at once, each in its own transaction and connection. @default 2 (DECNET_INGESTER_CONCURRENCY, 1..8) */
  concurrency: number;
  /** Events queued for the ingester on the in-memory bus before the oldest is dropped. @default 65536 (DECNET_INGESTER_QUEUE_SIZE) */
  queueSize: number;
}

/** {@link IngesterOptions} after validation. */
export type CompiledIngesterOptions = Readonly<IngesterOptions>;

/** Defaults that do not depend on the bus. */
export const INGESTER_DEFAULTS = {
  batchSize: 500,
  batchMaxWaitMs: 250,
  idleFlushMs: 2,
  concurrency: 2,
  queueSize: 65_536,
} as const;

/** The acknowledgement mode a bus kind gets by default. */
export function defaultAckMode(bus: BusKind): AckMode {
  return bus === 'memory' ? 'receive' : 'commit';
}

type Env = Record<string, string | undefined>;

/** The keys renamed from DECNET_INGEST_* (deprecated, still read until the next release). */
export const INGESTER_DEPRECATED_KEYS = renamedPrefix('DECNET_INGEST_', 'DECNET_INGESTER_', [
  'BATCH_SIZE',
  'BATCH_MAX_WAIT_MS',
  'IDLE_FLUSH_MS',
  'ACK',
  'CONCURRENCY',
  'QUEUE_SIZE',
]);

/**
 * Reads DECNET_INGESTER_* and DECNET_TRUSTED_PROXIES from `env`, then applies `overrides`.
 * @throws ConfigValidationError listing every invalid key.
 */
export function compileIngesterOptions(env: Env, bus: BusKind, overrides: Partial<IngesterOptions> = {}): CompiledIngesterOptions {
  const reader = envReader(withDeprecatedKeys(env, INGESTER_DEPRECATED_KEYS), { received: 'trimmed' });
  const { read } = reader;
  const d = INGESTER_DEFAULTS;
  const proxies = parseTrustedProxies('');
  const options: IngesterOptions = {
    batchSize: read('DECNET_INGESTER_BATCH_SIZE', 'an integer from 1 to 5000', d.batchSize, intIn(1, 5000)),
    batchMaxWaitMs: read('DECNET_INGESTER_BATCH_MAX_WAIT_MS', 'milliseconds from 1 to 60000', d.batchMaxWaitMs, intIn(1, 60_000)),
    idleFlushMs: read('DECNET_INGESTER_IDLE_FLUSH_MS', 'milliseconds from 0 to 60000', d.idleFlushMs, intIn(0, 60_000)),
    ack: read<AckMode>('DECNET_INGESTER_ACK', 'commit or receive', defaultAckMode(bus), (v) =>
      v === 'commit' || v === 'receive' ? v : undefined,
    ),
    concurrency: read('DECNET_INGESTER_CONCURRENCY', 'an integer from 1 to 8', d.concurrency, intIn(1, 8)),
    trustedProxies: read('DECNET_TRUSTED_PROXIES', 'comma-separated IPs or CIDRs', proxies as BlockList, (v) => {
      const parsed = parseTrustedProxies(v);
      return 'invalid' in parsed ? undefined : parsed;
    }),
    queueSize: read('DECNET_INGESTER_QUEUE_SIZE', 'an integer from 1024 to 10000000', d.queueSize, intIn(1024, 10_000_000)),
  };
  reader.assertValid();
  return Object.freeze({ ...options, ...overrides });
}
