// What fleet and topology compose files share: the document types, the per-service container
// fragment, and deterministic YAML (no anchors, every ambiguous scalar quoted).
import { type ConfigValue, FILES_MOUNT, type ServiceDef, serviceEnvironment } from './catalog/services.js';

/** A service entry of a compose file (the subset decnet renders). */
export interface ComposeService {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  container_name?: string;
  hostname?: string;
  command?: string[];
  restart?: string;
  environment?: Record<string, string>;
  cap_add?: string[];
  volumes?: string[];
  networks?: Record<string, { ipv4_address: string }>;
  network_mode?: string;
  depends_on?: string[];
  sysctls?: Record<string, string | number>;
  ports?: string[];
  logging?: { driver: string; options: Record<string, string> };
  labels?: Record<string, string>;
}

/** A top-level network entry. */
export interface ComposeNetwork {
  name?: string;
  external?: boolean;
  driver?: string;
  driver_opts?: Record<string, string>;
  internal?: boolean;
  ipam?: { config: { subnet: string; gateway?: string; ip_range?: string }[] };
}

/**
 * A compose document as decnet renders it. There is deliberately no top-level `name:`: the
 * Compose Specification schema decnet validates against predates that key and rejects it, so
 * the project name travels on the command line (`docker compose -p <project>`) and is only
 * recorded, for people, as `x-decnet.project`.
 */
export interface ComposeFile {
  services: Record<string, ComposeService>;
  networks: Record<string, ComposeNetwork>;
  /**
   * Provenance: what produced the file and the compose project to run it under (never a
   * timestamp, so files stay byte-identical). `x-` keys are ignored by docker compose.
   */
  'x-decnet'?: Record<string, string | number | boolean>;
}

/** Log rotation for every container: json-file, 10 MB × 5 files. */
export const CONTAINER_LOGGING = { driver: 'json-file', options: { 'max-size': '10m', 'max-file': '5' } } as const;

/** Where service build contexts live; `DECNET_TEMPLATES_DIR` overrides it in the CLI. */
export const DEFAULT_TEMPLATES_ROOT = '/opt/decnet/templates';

/** Host directory for per-decky artifacts (core dumps, quarantined mail); `DECNET_ARTIFACTS_ROOT` overrides it. */
export const DEFAULT_ARTIFACTS_ROOT = '/var/lib/decnet/artifacts';

/** Inputs of one service container. */
export interface FragmentInput {
  readonly svc: ServiceDef;
  readonly values: Readonly<Record<string, ConfigValue>>;
  readonly deckyName: string;
  readonly hostname: string;
  readonly containerName: string;
  /** Compose key of the base container whose network namespace the service shares. */
  readonly baseKey: string;
  readonly buildBase: string;
  readonly templatesRoot: string;
  readonly artifactsRoot: string;
  readonly logTarget?: string;
  readonly labels: Record<string, string>;
}

/** Renders one service container: built from its template, sharing the base's network namespace. */
export function serviceFragment(input: FragmentInput): ComposeService {
  const { svc, values } = input;
  const environment: Record<string, string> = {
    ...serviceEnvironment(svc, values),
    NODE_NAME: input.deckyName,
    HOSTNAME: input.hostname,
  };
  if (input.logTarget !== undefined) environment['LOG_TARGET'] = input.logTarget;
  const volumes = svc.volumes.map((v) => `${input.artifactsRoot}/${input.deckyName}/${v.subdir}:${v.containerPath}:rw`);
  const files = values['files'];
  if (typeof files === 'string') volumes.push(`${files}:${FILES_MOUNT}:ro`);
  const out: ComposeService = {
    build: { context: `${input.templatesRoot}/${svc.template}`, args: { BASE_IMAGE: svc.presetBaseImage ?? input.buildBase } },
    container_name: input.containerName,
    restart: 'unless-stopped',
    environment,
  };
  if (svc.capAdd.length > 0) out.cap_add = [...svc.capAdd];
  if (volumes.length > 0) out.volumes = volumes;
  out.network_mode = `service:${input.baseKey}`;
  out.depends_on = [input.baseKey];
  out.logging = structuredClone(CONTAINER_LOGGING) as ComposeService['logging'];
  out.labels = input.labels;
  return out;
}

// Words YAML 1.1 or 1.2 reads as booleans or null: always quoted.
const RESERVED_WORDS = new Set(
  ['y', 'yes', 'n', 'no', 'true', 'false', 'on', 'off', 'null', '~'].flatMap((w) => [w, w.toUpperCase(), w.charAt(0).toUpperCase() + w.slice(1)]),
);

// Plain (unquoted) only when it starts with a letter, '/' or '_' and holds nothing YAML treats
// specially: no number, timestamp, sexagesimal or boolean can look like this.
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./@+-]*(?::[A-Za-z0-9_./@+-]+)*$/;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return '.nan';
    if (!Number.isFinite(value)) return value > 0 ? '.inf' : '-.inf';
    return String(value);
  }
  const s = String(value);
  // `e0`-like words: some YAML 1.1 parsers read them as exponent-only floats.
  if (PLAIN.test(s) && !RESERVED_WORDS.has(s) && !/^[eE][-+]?\d/.test(s)) return s;
  // JSON escapes are valid YAML double-quoted escapes; also escape what YAML cannot hold raw.
  return JSON.stringify(s).replace(/[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function isBlock(value: unknown): value is object {
  return typeof value === 'object' && value !== null && (Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0);
}

function emptyCollection(value: unknown): string | undefined {
  if (Array.isArray(value) && value.length === 0) return '[]';
  if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.keys(value).length === 0) return '{}';
  return undefined;
}

function emit(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isBlock(item) && !Array.isArray(item)) {
        // "- key: v" then the remaining keys aligned under the first.
        const lines: string[] = [];
        emit(item, `${indent}  `, lines);
        out.push(`${indent}- ${(lines[0] as string).slice(indent.length + 2)}`, ...lines.slice(1));
      } else if (isBlock(item)) {
        out.push(`${indent}-`);
        emit(item, `${indent}  `, out);
      } else out.push(`${indent}- ${emptyCollection(item) ?? scalar(item)}`);
    }
    return;
  }
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    if (isBlock(v)) {
      out.push(`${indent}${scalar(key)}:`);
      emit(v, `${indent}  `, out);
    } else out.push(`${indent}${scalar(key)}: ${emptyCollection(v) ?? scalar(v)}`);
  }
}

/**
 * Serialises a compose document as block-style YAML: two-space indents, no anchors or aliases,
 * no folding, and every scalar a YAML 1.1 or 1.2 parser could read as anything but a string
 * (`22:22`, `yes`, `5`, `1e3`, IP addresses) double-quoted. Keys keep insertion order, so the
 * same document always gives the same bytes.
 */
export function composeToYaml(doc: ComposeFile): string {
  const out: string[] = [];
  emit(doc, '', out);
  return `${out.join('\n')}\n`;
}
