// `decnet services`, `decnet archetypes`, `decnet distros`: the catalog as a table for people
// or JSON for scripts. One module, three verbs (verbs.ts picks the export).
import { ARCHETYPES, DISTROS, SERVICES, distroImageRef } from '@decnet/topology';
import { parseCommandArgs, renderJson, renderTable, type CommandIO, type CommandModule } from '../io.js';

function listing(verb: string, description: string, table: () => string, json: () => unknown): CommandModule & { help(): string } {
  return {
    help: () => `Usage: decnet ${verb} [--json]\n\n${description}\n`,
    async run(args: string[], io: CommandIO): Promise<number> {
      const { values } = parseCommandArgs(verb, args, { json: { type: 'boolean', default: false } }, false);
      io.stdout(values.json ? renderJson(json()) : table());
      return 0;
    },
  };
}

/** `decnet services`: every honeypot service, its ports and config fields. */
export const services = listing(
  'services',
  'Lists the honeypot services a decky can run: TCP/UDP ports, added capabilities and the\nconfig fields each accepts (set them in a fleet INI [decky.service] section).',
  () =>
    renderTable(
      ['service', 'tcp', 'udp', 'caps', 'config', 'description'],
      SERVICES.map((s) => [
        s.slug,
        s.tcpPorts.join(',') || '-',
        s.udpPorts.join(',') || '-',
        s.capAdd.join(',') || '-',
        s.fields.map((f) => f.key).join(',') || '-',
        s.singleton ? `${s.description} (fleet singleton, never in a decky)` : s.description,
      ]),
    ),
  () =>
    SERVICES.map((s) => ({
      slug: s.slug,
      description: s.description,
      singleton: s.singleton,
      tcp_ports: s.tcpPorts,
      udp_ports: s.udpPorts,
      cap_add: s.capAdd,
      template: s.template,
      fields: s.fields.map((f) => ({
        key: f.key,
        type: f.type,
        env: f.env ?? null,
        default: f.default ?? null,
        choices: f.choices ?? null,
        secret: f.secret ?? false,
        description: f.description,
      })),
    })),
);

/** `decnet archetypes`: machine roles and what they imply. */
export const archetypes = listing(
  'archetypes',
  'Lists the archetypes (machine roles) usable with decnet deploy --archetype: their services,\npreferred distros and OS fingerprint.',
  () =>
    renderTable(
      ['archetype', 'name', 'services', 'distros', 'os'],
      ARCHETYPES.map((a) => [a.slug, a.displayName, a.services.join(','), a.preferredDistros.join(','), a.nmapOs]),
    ),
  () =>
    ARCHETYPES.map((a) => ({
      slug: a.slug,
      display_name: a.displayName,
      description: a.description,
      services: a.services,
      preferred_distros: a.preferredDistros,
      nmap_os: a.nmapOs,
    })),
);

/** `decnet distros`: base images and hostname styles. */
export const distros = listing(
  'distros',
  'Lists the base distributions usable with decnet deploy --distro: image, hostname style and\nthe image service containers build on.',
  () =>
    renderTable(
      ['distro', 'name', 'image', 'hostnames', 'build base'],
      DISTROS.map((d) => [d.slug, d.displayName, distroImageRef(d), d.hostnameStyle, d.buildBase]),
    ),
  () =>
    DISTROS.map((d) => ({
      slug: d.slug,
      display_name: d.displayName,
      image: d.image,
      digest: d.digest,
      hostname_style: d.hostnameStyle,
      build_base: d.buildBase,
    })),
);
