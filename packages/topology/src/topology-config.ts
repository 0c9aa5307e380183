// The MazeNET generation config (`decnet topology create` flags, the REST generate body):
// one zod/mini schema with the defaults, and a reader that turns problems into one line.
import * as z from 'zod/mini';
import { DECKY_SERVICE_SLUGS } from './catalog/services.js';
import { TopologyInputError } from './errors.js';
import { parseSubnetBase } from './net.js';
import { MAX_SEED } from './random.js';

/** Parent range topology LANs are carved from: 4096 /24s. */
export const DEFAULT_SUBNET_BASE = '172.16.0.0/12';

/** Schema of {@link TopologyConfig}; snake_case keys, as stored in `config_snapshot`. */
export const topologyConfigSchema = z.object({
  name: z.string().check(z.minLength(1), z.maxLength(64), z.regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/)),
  mode: z._default(z.enum(['unihost', 'agent']), 'unihost'),
  depth: z._default(z.int().check(z.gte(1), z.lte(16)), 3),
  branching_factor: z._default(z.int().check(z.gte(1), z.lte(8)), 2),
  deckies_per_lan_min: z._default(z.int().check(z.gte(0), z.lte(32)), 1),
  deckies_per_lan_max: z._default(z.int().check(z.gte(1), z.lte(32)), 3),
  bridge_forward_probability: z._default(z.number().check(z.gte(0), z.lte(1)), 1),
  cross_edge_probability: z._default(z.number().check(z.gte(0), z.lte(1)), 0),
  subnet_base_prefix: z._default(z.string(), DEFAULT_SUBNET_BASE),
  randomize_services: z._default(z.boolean(), true),
  services_explicit: z._default(z.nullable(z.array(z.string())), null),
  seed: z._default(z.nullable(z.int().check(z.gte(0), z.lte(MAX_SEED))), null),
});

/** A fully defaulted topology generation config. */
export type TopologyConfig = z.infer<typeof topologyConfigSchema>;

/** Input accepted by {@link readTopologyConfig}: every field but `name` may be omitted. */
export type TopologyConfigInput = z.input<typeof topologyConfigSchema>;

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.join('.') || 'config';
  const i = issue as unknown as Record<string, unknown>;
  switch (issue.code) {
    case 'too_small':
      return `${where} must be ${i['origin'] === 'string' ? `at least ${String(i['minimum'])} characters` : `>= ${String(i['minimum'])}`}`;
    case 'too_big':
      return `${where} must be ${i['origin'] === 'string' ? `at most ${String(i['maximum'])} characters` : `<= ${String(i['maximum'])}`}`;
    case 'invalid_type':
      return `${where} must be ${String(i['expected'])}`;
    case 'invalid_value':
      return `${where} must be one of ${(i['values'] as unknown[]).join(', ')}`;
    case 'invalid_format':
      return `${where} has invalid characters (letters, digits, '.', '_' and '-' only, not starting with a symbol)`;
    case 'unrecognized_keys':
      return `unknown config key ${(i['keys'] as string[]).join(', ')}`;
    default:
      return `${where}: ${issue.message}`;
  }
}

/**
 * Validates and defaults a generation config. Throws TopologyInputError naming the first
 * problem: a field out of range, min > max deckies per LAN, neither random nor explicit
 * services, an unknown or singleton service, a bad subnet base.
 */
export function readTopologyConfig(input: unknown): TopologyConfig {
  const r = topologyConfigSchema.safeParse(input);
  if (!r.success) {
    const first = r.error.issues[0];
    throw new TopologyInputError(first?.path.join('.') ?? 'config', first ? describeIssue(first) : 'invalid config');
  }
  const c = r.data;
  if (c.deckies_per_lan_min > c.deckies_per_lan_max) {
    throw new TopologyInputError('deckies_per_lan', `deckies per LAN: min ${c.deckies_per_lan_min} is greater than max ${c.deckies_per_lan_max}`);
  }
  if (c.services_explicit !== null) {
    if (c.services_explicit.length === 0) throw new TopologyInputError('services_explicit', 'explicit service list is empty');
    const seen = new Set<string>();
    for (const s of c.services_explicit) {
      if (!DECKY_SERVICE_SLUGS.includes(s)) throw new TopologyInputError('services_explicit', `unknown service "${s}" (run "decnet service catalog" for the list)`);
      if (seen.has(s)) throw new TopologyInputError('services_explicit', `service "${s}" is listed twice`);
      seen.add(s);
    }
    // An explicit list always wins over randomisation.
    c.randomize_services = false;
  } else if (!c.randomize_services) {
    throw new TopologyInputError('services_explicit', 'set services or enable randomized services');
  }
  const base = parseSubnetBase(c.subnet_base_prefix);
  if (!base.ok) throw new TopologyInputError('subnet_base_prefix', `subnet base: ${base.reason}`);
  return c;
}
