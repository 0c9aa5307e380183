// The body of every service's `src/main.ts` (the bundle entry a decky container runs): start the
// service from the environment, stop it cleanly on SIGTERM/SIGINT, and turn start-up failures
// into one clear stderr message and an exit status. Only entry points may call this.
import { ServiceConfigError, ServiceListenError } from './errors.js';
import { startDecky, startService, type AnyServiceSpec, type StartedService } from './service.js';

/** Exit status for invalid configuration (as for a usage error). */
export const EXIT_CONFIG = 2;
/** Exit status when the port cannot be bound or start-up fails otherwise. */
export const EXIT_START_FAILED = 1;

function report(err: unknown): number {
  if (err instanceof ServiceConfigError) {
    process.stderr.write(`${err.message}\n`);
    return EXIT_CONFIG;
  }
  if (err instanceof ServiceListenError) {
    process.stderr.write(`${err.message}\n`);
    return EXIT_START_FAILED;
  }
  process.stderr.write(`service failed to start: ${(err as Error)?.stack ?? String(err)}\n`);
  return EXIT_START_FAILED;
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (): void => {
    if (stopping) {
      process.exit(130);
    }
    stopping = true;
    void stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}

/**
 * Runs one service as a process: reads `process.env`, starts it, and stops it on SIGTERM/SIGINT
 * (a second signal exits at once). Sets a non-zero exit status and returns when start-up fails.
 */
export async function runServiceMain(spec: AnyServiceSpec): Promise<StartedService | null> {
  try {
    const started = await startService(spec);
    onSignals(() => started.close());
    return started;
  } catch (err) {
    process.exitCode = report(err);
    return null;
  }
}

/** Runs several services as one process (a decky in one container); see {@link runServiceMain}. */
export async function runDeckyMain(specs: readonly AnyServiceSpec[]): Promise<void> {
  try {
    const decky = await startDecky(specs);
    for (const f of decky.failures) report(f.error);
    if (decky.services.length === 0) {
      process.exitCode = EXIT_START_FAILED;
      return;
    }
    onSignals(() => decky.close());
  } catch (err) {
    process.exitCode = report(err);
  }
}
