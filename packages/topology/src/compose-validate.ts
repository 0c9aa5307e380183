// Checks a rendered compose document before anything is written: the official Compose
// Specification JSON schema (an ajv validator generated ahead of time), then the
// cross-references and values `docker compose` or the engine would reject but the schema does not check.
import type { ErrorObject } from 'ajv';
import { validate as generatedValidate } from './schema/compose-validator.generated.js';
import { ComposeSchemaError } from './errors.js';
import { parseIpv4 } from './net.js';

/** The official Compose Specification schema, compiled ahead of time (see scripts/generate-compose-validator.ts). */
const validateSchema = generatedValidate as unknown as { (doc: unknown): boolean; errors?: ErrorObject[] | null };

function describe(e: ErrorObject): string {
  const where = e.instancePath === '' ? '(root)' : e.instancePath.slice(1).replaceAll('/', '.');
  if (e.keyword === 'additionalProperties') return `${where}: unknown key ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}`;
  return `${where}: ${e.message ?? e.keyword}`;
}

/**
 * Returns every problem with `doc` as a compose file: schema violations first, then semantic
 * ones (a service with neither image nor build, `network_mode: service:X` or `depends_on`
 * naming a missing service, a network not declared at top level, an `ipv4_address` that is
 * not a dotted IPv4 address (the schema only asks for a string), a container name or a
 * published host port used twice). An empty list means valid. Never throws.
 */
export function composeProblems(doc: unknown): string[] {
  if (!validateSchema(doc)) {
    // ajv reports every failed oneOf branch; keep the distinct lines, most specific first.
    const lines = [...new Set((validateSchema.errors ?? []).map(describe))];
    return lines.sort((a, b) => b.split('.').length - a.split('.').length);
  }
  return semanticProblems(doc as SemanticView);
}

interface SemanticView {
  services?: Record<string, { image?: string; build?: unknown; network_mode?: string; depends_on?: unknown; networks?: unknown; container_name?: string; ports?: unknown[] }>;
  networks?: Record<string, unknown>;
}

function semanticProblems(doc: SemanticView): string[] {
  const problems: string[] = [];
  const services = doc.services ?? {};
  const networks = new Set(Object.keys(doc.networks ?? {}));
  const names = new Map<string, string>();
  const hostPorts = new Map<string, string>();
  for (const [key, svc] of Object.entries(services)) {
    if (svc.image === undefined && svc.build === undefined) problems.push(`services.${key}: has neither image nor build`);
    const mode = svc.network_mode;
    if (mode?.startsWith('service:') && !(mode.slice(8) in services)) problems.push(`services.${key}.network_mode: no service ${mode.slice(8)}`);
    if (mode !== undefined && svc.networks !== undefined) problems.push(`services.${key}: network_mode and networks are mutually exclusive`);
    const deps = Array.isArray(svc.depends_on) ? (svc.depends_on as string[]) : Object.keys((svc.depends_on as object | undefined) ?? {});
    for (const d of deps) if (!(d in services)) problems.push(`services.${key}.depends_on: no service ${d}`);
    const nets = Array.isArray(svc.networks) ? (svc.networks as string[]) : Object.keys((svc.networks as object | undefined) ?? {});
    for (const n of nets) if (!networks.has(n)) problems.push(`services.${key}.networks: network ${n} is not declared`);
    if (!Array.isArray(svc.networks)) {
      for (const [n, attach] of Object.entries((svc.networks as Record<string, { ipv4_address?: unknown } | null> | undefined) ?? {})) {
        const ip = attach?.ipv4_address;
        if (typeof ip === 'string' && parseIpv4(ip) === null) problems.push(`services.${key}.networks.${n}.ipv4_address: ${JSON.stringify(ip)} is not an IPv4 address`);
      }
    }
    if (svc.container_name !== undefined) {
      const prev = names.get(svc.container_name);
      if (prev !== undefined) problems.push(`services.${key}.container_name: ${svc.container_name} already used by ${prev}`);
      else names.set(svc.container_name, key);
    }
    for (const p of svc.ports ?? []) {
      if (typeof p !== 'string') continue;
      const m = /^(?:(\d+\.\d+\.\d+\.\d+):)?(\d+):\d+(\/(tcp|udp))?$/.exec(p);
      if (!m) continue;
      const hostKey = `${m[1] ?? '0.0.0.0'}:${m[2]}/${m[4] ?? 'tcp'}`;
      const prev = hostPorts.get(hostKey);
      if (prev !== undefined) problems.push(`services.${key}.ports: host port ${hostKey} already published by ${prev}`);
      else hostPorts.set(hostKey, key);
    }
  }
  return problems;
}

/** Throws ComposeSchemaError listing the problems when `doc` is not a valid compose file. */
export function assertValidCompose(doc: unknown): void {
  const problems = composeProblems(doc);
  if (problems.length > 0) throw new ComposeSchemaError(problems);
}
