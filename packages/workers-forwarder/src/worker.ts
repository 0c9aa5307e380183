// The forwarder's run loop: idle when not configured (so `decnet up` can host it), wait for the
// PKI files, resume from the saved acknowledged position, ship until stopped, and persist the
// position as acknowledgements arrive (coalesced) and once more on the way out.
import { existsSync } from 'node:fs';
import { everyNth, sleep, untilAborted, type WorkerContext } from '@decnet/core';
import { PkiFormatError, readPemFile } from '@decnet/pki';
import { ForwarderTlsError } from './errors.js';
import { compileForwarderOptions, type CompiledForwarderOptions, type ForwarderOptions } from './options.js';
import { Shipper, type ForwarderTlsMaterial } from './shipper.js';
import { loadState, saveState, type AckedPosition, type GenerationIdentity, type SavedGeneration } from './state.js';
import { Tailer, streamId, type TailerNotice } from './tailer.js';

/** How often missing PKI files are looked for again. */
const PKI_RETRY_MS = 15_000;
/** How often the counters are copied into the heartbeat's detail. */
const HEALTH_DETAIL_MS = 1_000;
/** Acknowledged positions are written at most this often (a crash only means a short, deduplicated resend). */
const PERSIST_INTERVAL_MS = 200;

/** Where the forwarder gets its options: the environment, plus overrides for tests and embedding. */
export interface ForwarderSource {
  readonly env?: Record<string, string | undefined>;
  readonly overrides?: Partial<ForwarderOptions>;
}

function readTlsMaterial(options: CompiledForwarderOptions): ForwarderTlsMaterial | { missing: string[] } {
  const files = [options.certFile, options.keyFile, options.caFile];
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length > 0) return { missing };
  try {
    return { cert: readPemFile(options.certFile), key: readPemFile(options.keyFile), ca: readPemFile(options.caFile) };
  } catch (err) {
    if (err instanceof PkiFormatError) throw new ForwarderTlsError(options.certFile, err.message, { cause: err });
    throw err;
  }
}

/**
 * Writes the state (the acknowledged position and the generations after it), coalescing bursts
 * of changes into one write per interval.
 */
class StateWriter {
  private dirty = false;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();
  private readonly warn: (meta?: Record<string, unknown>) => number;
  private readonly log: WorkerContext['log'];

  constructor(
    private readonly path: string,
    private readonly file: string,
    private readonly compose: () => SavedGeneration[],
    ctx: WorkerContext,
  ) {
    this.warn = everyNth(ctx.log, 'error', 'cannot save the forwarder position');
    this.log = ctx.log;
  }

  /** Something changed: write soon. */
  touch(): void {
    this.dirty = true;
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, PERSIST_INTERVAL_MS);
  }

  /** Writes now if anything changed since the last write. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.chain = this.chain.then(async () => {
      if (!this.dirty) return;
      this.dirty = false;
      const generations = this.compose();
      if (generations.length === 0) return;
      try {
        await saveState(this.path, this.file, generations);
        this.log.debug('forwarder state saved', { generations: generations.length, offset: generations[0]?.offset });
      } catch (err) {
        this.dirty = true;
        this.warn({ path: this.path, err: (err as Error).message });
      }
    });
    return this.chain;
  }
}

/**
 * What a restart must resume: the acknowledged generation at its acknowledged offset, then
 * every later generation (sent but unacknowledged, or still being read) from its start.
 */
export function composeState(
  acked: AckedPosition | null,
  unacked: readonly GenerationIdentity[],
  reading: readonly { fileId: string; head: string | null }[],
): SavedGeneration[] {
  const out: SavedGeneration[] = [];
  const seen = new Set<string>();
  const add = (fileId: string, head: string | null, offset: number): void => {
    const key = `${fileId}/${head ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push({ fileId, head, offset });
  };
  if (acked) add(acked.fileId, acked.head, acked.offset);
  for (const g of unacked) add(g.fileId, g.head, 0);
  for (const g of reading) add(g.fileId, g.head, 0);
  return out;
}

/** The acknowledged position a saved state starts at, when its first generation has a first line. */
function initialPosition(saved: readonly SavedGeneration[] | null): AckedPosition | null {
  const first = saved?.[0];
  if (!first || first.head === null) return null;
  return { fileId: first.fileId, head: first.head, stream: streamId(first.fileId, Buffer.from(first.head, 'base64')), offset: first.offset };
}

/**
 * Runs the forwarder until `ctx.signal` aborts.
 * @throws ConfigValidationError on bad options; ForwarderTlsError when the TLS files are unusable.
 */
export async function runForwarder(ctx: WorkerContext, source: ForwarderSource = {}): Promise<void> {
  const options = compileForwarderOptions(source.env ?? process.env, ctx.config.home, source.overrides);
  const { file, target } = options;
  if (!file || !target) {
    ctx.setHealthDetail({ state: 'disabled', reason: 'DECNET_FORWARDER_FILE and DECNET_FORWARDER_TARGET are not both set' });
    ctx.log.info('forwarder idle: set DECNET_FORWARDER_FILE and DECNET_FORWARDER_TARGET to ship a log file');
    await untilAborted(ctx.signal);
    return;
  }
  let material = readTlsMaterial(options);
  let warned = false;
  while ('missing' in material) {
    ctx.setHealthDetail({ state: 'waiting_for_pki', missing: material.missing });
    if (!warned) {
      ctx.log.warn('forwarder idle: TLS files missing (decnet pki issue <this host> --client, then copy ca.crt here)', { missing: material.missing });
      warned = true;
    }
    if (!(await sleep(PKI_RETRY_MS, ctx.signal))) return;
    material = readTlsMaterial(options);
  }

  const loaded = await loadState(options.stateFile, file);
  ctx.log.debug('forwarder state loaded', { stateFile: options.stateFile, generations: loaded.generations?.length ?? null });
  if (loaded.generations === null && loaded.reason !== 'missing') {
    ctx.log.warn('forwarder state ignored; starting from the beginning of the file (stable ids make the resend harmless)', {
      stateFile: options.stateFile,
      reason: loaded.reason,
    });
  }
  const onNotice = (notice: TailerNotice): void => {
    if (notice.kind === 'restarted' || notice.kind === 'truncated') ctx.log.warn('forwarded file changed', { ...notice });
    else ctx.log.info('forwarded file', { ...notice });
  };
  // The writer needs the shipper and the tailer, which report changes to it: wire lazily.
  let compose = (): SavedGeneration[] => [];
  const writer = new StateWriter(options.stateFile, file, () => compose(), ctx);
  const tailer = await Tailer.open(file, loaded.generations, {
    maxLineBytes: options.maxLineBytes,
    notify: onNotice,
    onChange: () => writer.touch(),
  });
  const shipper = new Shipper({
    target,
    serverName: options.serverName ?? target.host,
    tls: material,
    windowLines: options.windowLines,
    windowBytes: options.windowBytes,
    ackTimeoutMs: options.ackTimeoutSec * 1000,
    reconnectMinMs: options.reconnectMinMs,
    reconnectMaxMs: options.reconnectMaxMs,
    pollMs: options.pollMs,
    source: tailer,
    initial: initialPosition(loaded.generations),
    onAcked: (_position, lines) => {
      writer.touch();
      ctx.handled(lines);
    },
    log: ctx.log,
    signal: ctx.signal,
  });
  compose = () => composeState(shipper.acked, shipper.unackedGenerations(), tailer.generations());
  // Record the generations found at start at once, so a restart before any ack still finds them.
  writer.touch();
  const warnPoll = everyNth(ctx.log, 'warn', 'cannot check the forwarded file');
  let polling = false;
  const poll = setInterval(() => {
    if (polling) return;
    polling = true;
    tailer
      .poll()
      .catch((err: unknown) => warnPoll({ file, err: (err as Error).message }))
      .finally(() => {
        polling = false;
      });
  }, options.pollMs);
  const report = (): void =>
    ctx.setHealthDetail({
      state: shipper.state,
      file,
      target: `${target.host}:${target.port}`,
      stream: shipper.acked?.stream ?? null,
      ackedOffset: shipper.acked?.offset ?? null,
      pending: shipper.pending,
      lagBytes: tailer.lagBytes,
      openFiles: tailer.openFiles,
      lastError: shipper.error,
      ...shipper.counters,
      ...tailer.counters,
    });
  report();
  const health = setInterval(report, HEALTH_DETAIL_MS);
  health.unref();
  try {
    await shipper.run();
  } finally {
    clearInterval(poll);
    clearInterval(health);
    await writer.flush();
    await tailer.close();
    report();
  }
}
