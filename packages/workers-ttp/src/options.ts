// The ttp worker's options: DECNET_TTP_* environment keys, their defaults (written once, here),
// validated together. The ATT&CK data comes from DECNET_ATTACK_BUNDLE (see @decnet/ttp-engine).
import { envReader, intIn, withDeprecatedKeys, type BusKind, type DeprecatedEnvKeys } from '@decnet/core';
import { RULES_MODES, type RulesMode } from '@decnet/ttp-engine';

/** When an event is acknowledged to the bus. */
export type TtpAckMode = 'commit' | 'receive';

/** Everything the ttp worker can be told; each field documents its environment key and default. */
export interface TtpOptions {
  /**
   * `commit`: an event is acknowledged once its tags are written (nothing lost on a crash; one
   * insert per event). `receive`: on arrival, tags written in batches (much faster; a crash loses
   * the batch in memory). @default `receive` on the in-memory bus, `commit` otherwise (DECNET_TTP_ACK)
   */
  ack: TtpAckMode;
  /**
   * An operator's directory of rule files (`[A-Za-z0-9_]+.ya?ml`, relative to the working
   * directory), added to decnet's shipped pack: a file with a pack rule's id overrides it. Empty:
   * the pack alone. @default `''` (DECNET_TTP_RULES_DIR)
   */
  rulesDir: string;
  /**
   * `add`: the directory adds to the shipped pack. `replace`: the directory's rules only (needs
   * DECNET_TTP_RULES_DIR). @default `add` (DECNET_TTP_RULES_MODE)
   */
  rulesMode: RulesMode;
  /** How often the rule directory is checked for changes; 0 never. @default 10000 (DECNET_TTP_RULES_RELOAD_MS) */
  rulesReloadMs: number;
  /** How often operator rule states (`ttp_rule_state`) are re-read. @default 5000 (DECNET_TTP_RULE_STATE_REFRESH_MS) */
  ruleStateRefreshMs: number;
  /** Derive command, http_request and auth_attempt sources from `log.event.*`. @default true (DECNET_TTP_LOG_EVENTS) */
  logEvents: boolean;
  /** HTTP requests and auth attempts of one attacker in one window of this many seconds share a source. @default 300 (DECNET_TTP_DEDUP_WINDOW_SEC) */
  dedupWindowS: number;
  /** Tags waiting for their attacker row, at most. @default 10000 (DECNET_TTP_PENDING_MAX) */
  pendingMax: number;
  /** How long a tag waits for its attacker row before it is dropped. @default 3600 (DECNET_TTP_PENDING_TTL_SEC) */
  pendingTtlS: number;
  /** How often waiting tags are retried (also on `attacker.observed`/`attacker.scored`). @default 5000 (DECNET_TTP_PENDING_RETRY_MS) */
  pendingRetryMs: number;
  /** Events queued per subscription on the in-memory bus before the oldest is dropped. @default 65536 (DECNET_TTP_QUEUE_SIZE) */
  queueSize: number;
}

/** {@link TtpOptions} after validation. */
export type CompiledTtpOptions = Readonly<TtpOptions>;

/** The acknowledgement mode a bus kind gets by default. */
export function defaultTtpAck(bus: BusKind): TtpAckMode {
  return bus === 'memory' ? 'receive' : 'commit';
}

/** The defaults that do not depend on the bus. */
export const TTP_DEFAULTS: Readonly<Omit<TtpOptions, 'ack'>> = {
  rulesDir: '',
  rulesMode: 'add',
  rulesReloadMs: 10_000,
  ruleStateRefreshMs: 5_000,
  logEvents: true,
  dedupWindowS: 300,
  pendingMax: 10_000,
  pendingTtlS: 3_600,
  pendingRetryMs: 5_000,
  queueSize: 65_536,
};

type Env = Readonly<Record<string, string | undefined>>;

/** Seconds are `_SEC` in every worker's keys; the old `_S` names still work until the next release. */
export const TTP_DEPRECATED_KEYS: DeprecatedEnvKeys = {
  DECNET_TTP_DEDUP_WINDOW_SEC: 'DECNET_TTP_DEDUP_WINDOW_S',
  DECNET_TTP_PENDING_TTL_SEC: 'DECNET_TTP_PENDING_TTL_S',
};

/**
 * Reads DECNET_TTP_* from `env` (`bus` decides the default ack mode), then applies `overrides`.
 * @throws ConfigValidationError listing every invalid key.
 */
export function compileTtpOptions(env: Env, bus: BusKind, overrides: Partial<TtpOptions> = {}): CompiledTtpOptions {
  const reader = envReader(withDeprecatedKeys(env, TTP_DEPRECATED_KEYS), { received: 'trimmed' });
  const { read } = reader;
  const bool = (v: string) => (['1', 'true', 'yes', 'on'].includes(v.toLowerCase()) ? true : ['0', 'false', 'no', 'off'].includes(v.toLowerCase()) ? false : undefined);
  const d = TTP_DEFAULTS;
  const options: TtpOptions = {
    ack: read<TtpAckMode>('DECNET_TTP_ACK', 'commit or receive', defaultTtpAck(bus), (v) => (v === 'commit' || v === 'receive' ? v : undefined)),
    rulesDir: read('DECNET_TTP_RULES_DIR', 'a directory path', d.rulesDir, (v) => v),
    rulesMode: read<RulesMode>('DECNET_TTP_RULES_MODE', 'add or replace', d.rulesMode, (v) =>
      (RULES_MODES as readonly string[]).includes(v) ? (v as RulesMode) : undefined,
    ),
    rulesReloadMs: read('DECNET_TTP_RULES_RELOAD_MS', 'milliseconds from 0 to 3600000', d.rulesReloadMs, intIn(0, 3_600_000)),
    ruleStateRefreshMs: read('DECNET_TTP_RULE_STATE_REFRESH_MS', 'milliseconds from 100 to 3600000', d.ruleStateRefreshMs, intIn(100, 3_600_000)),
    logEvents: read('DECNET_TTP_LOG_EVENTS', 'true or false', d.logEvents, bool),
    dedupWindowS: read('DECNET_TTP_DEDUP_WINDOW_SEC', 'seconds from 1 to 86400', d.dedupWindowS, intIn(1, 86_400)),
    pendingMax: read('DECNET_TTP_PENDING_MAX', 'an integer from 0 to 1000000', d.pendingMax, intIn(0, 1_000_000)),
    pendingTtlS: read('DECNET_TTP_PENDING_TTL_SEC', 'seconds from 1 to 604800', d.pendingTtlS, intIn(1, 604_800)),
    pendingRetryMs: read('DECNET_TTP_PENDING_RETRY_MS', 'milliseconds from 50 to 3600000', d.pendingRetryMs, intIn(50, 3_600_000)),
    queueSize: read('DECNET_TTP_QUEUE_SIZE', 'an integer from 1024 to 10000000', d.queueSize, intIn(1024, 10_000_000)),
  };
  if (options.rulesMode === 'replace' && options.rulesDir === '' && overrides.rulesDir === undefined) {
    const expected = 'add, or replace together with DECNET_TTP_RULES_DIR naming the rules that replace the pack';
    reader.fail('DECNET_TTP_RULES_MODE', expected, 'replace');
  }
  reader.assertValid();
  return Object.freeze({ ...options, ...overrides });
}
