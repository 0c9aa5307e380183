// Files a deployment writes and reads: compose files written atomically, and where rendered files
// find service build contexts and artifacts (DECNET_TEMPLATES_DIR, DECNET_ARTIFACTS_ROOT).
import { renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { RenderPaths } from '@decnet/topology';

/** Writes `text` to `path` via a temporary file and a rename, so readers never see half a file. */
export function writeAtomically(path: string, text: string): void {
  const tmp = resolve(dirname(path), `.${process.pid}.${Date.now()}.decnet-compose.tmp`);
  writeFileSync(tmp, text);
  try {
    renameSync(tmp, path);
  } catch (err) {
    unlinkSync(tmp);
    throw err;
  }
}

/** Where rendered compose files find service build contexts and artifacts: DECNET_TEMPLATES_DIR, DECNET_ARTIFACTS_ROOT. */
export function renderPaths(env: Record<string, string | undefined>): RenderPaths {
  return {
    ...(env['DECNET_TEMPLATES_DIR'] ? { templatesRoot: env['DECNET_TEMPLATES_DIR'] } : {}),
    ...(env['DECNET_ARTIFACTS_ROOT'] ? { artifactsRoot: env['DECNET_ARTIFACTS_ROOT'] } : {}),
  };
}
