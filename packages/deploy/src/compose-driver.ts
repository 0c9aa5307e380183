// The TopologyDriver for a real engine: every operation is one docker CLI command, and every
// failure rejects with DockerCommandError naming the command and docker's reason.
import { existsSync, mkdirSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { ContainerState, TopologyDriver } from '@decnet/topology';
import { DOCKER_QUERY_TIMEOUT_MS, parseComposePs, parseNetworkInspect, runDocker, type DockerResult } from './docker.js';
import { DockerCommandError } from './errors.js';
import { writeAtomically } from './files.js';

/** Options of {@link DockerComposeDriver}. */
export interface DockerDriverOptions {
  /** Environment of every docker command (DOCKER_HOST, DOCKER_CONTEXT, PATH...). */
  readonly env: Record<string, string | undefined>;
  /** Where compose files live between deploy and teardown: `<dir>/<project>.yml`. */
  readonly composeDir: string;
  /** Receives `docker compose up` / `down` output as it arrives. */
  readonly progress?: (text: string) => void;
}

/**
 * Bridges are created with `docker network create` (an existing network with the same subnet is
 * reused), the compose file is written to `<composeDir>/<project>.yml` and run with
 * `docker compose -p <project> -f <file> up -d --build`; `down` removes the file afterwards.
 * Every failure rejects with DockerCommandError (or a plain message for a subnet clash).
 */
export class DockerComposeDriver implements TopologyDriver {
  constructor(private readonly options: DockerDriverOptions) {}

  /** Path of a project's compose file. */
  composeFile(project: string): string {
    return join(this.options.composeDir, `${project}.yml`);
  }

  private async run(args: string[], timeoutMs: number | undefined, stream = false): Promise<DockerResult> {
    const progress = this.options.progress;
    const result = await runDocker(args, this.options.env, {
      ...(timeoutMs !== undefined ? { timeoutMs } : {}),
      ...(stream && progress ? { onOutput: (t: string) => progress(t) } : {}),
    });
    if (result.code !== 0) throw new DockerCommandError(args, result.code, result.stderr);
    return result;
  }

  async createNetwork(spec: { name: string; subnet: string; internal: boolean; labels: Record<string, string> }): Promise<string> {
    const inspect = await runDocker(['network', 'inspect', spec.name], this.options.env, { timeoutMs: DOCKER_QUERY_TIMEOUT_MS });
    if (inspect.code === 0) {
      const existing = parseNetworkInspect(inspect.stdout);
      if (existing && existing.subnets.includes(spec.subnet)) return existing.id;
      throw new DockerCommandError(['network', 'create', spec.name], null, `network ${spec.name} already exists with subnet ${existing?.subnets.join(',') || 'unknown'}, not ${spec.subnet}`);
    }
    if (!/no such network|not found/i.test(inspect.stderr)) throw new DockerCommandError(['network', 'inspect', spec.name], inspect.code, inspect.stderr);
    const args = ['network', 'create', '--driver', 'bridge', '--subnet', spec.subnet];
    if (spec.internal) args.push('--internal');
    for (const [k, v] of Object.entries(spec.labels)) args.push('--label', `${k}=${v}`);
    args.push(spec.name);
    return (await this.run(args, DOCKER_QUERY_TIMEOUT_MS)).stdout.trim();
  }

  async removeNetwork(name: string): Promise<void> {
    const r = await runDocker(['network', 'rm', name], this.options.env, { timeoutMs: DOCKER_QUERY_TIMEOUT_MS });
    // Already gone is what teardown wants.
    if (r.code !== 0 && !/no such network|not found/i.test(r.stderr)) throw new DockerCommandError(['network', 'rm', name], r.code, r.stderr);
  }

  async composeUp(project: string, yaml: string): Promise<void> {
    const file = this.composeFile(project);
    mkdirSync(this.options.composeDir, { recursive: true });
    writeAtomically(file, yaml);
    await this.run(['compose', '-p', project, '-f', file, 'up', '-d', '--build'], undefined, true);
  }

  async composeDown(project: string): Promise<void> {
    const file = this.composeFile(project);
    // Without its file compose still finds the project's containers by their project label.
    const args = ['compose', '-p', project, ...(existsSync(file) ? ['-f', file] : []), 'down', '--remove-orphans'];
    await this.run(args, undefined, true);
    try {
      unlinkSync(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }

  async composePs(project: string): Promise<ContainerState[]> {
    const file = this.composeFile(project);
    const r = await this.run(['compose', '-p', project, ...(existsSync(file) ? ['-f', file] : []), 'ps', '-a', '--format', 'json'], DOCKER_QUERY_TIMEOUT_MS);
    return parseComposePs(r.stdout);
  }
}
