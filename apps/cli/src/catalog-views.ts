// The deployable catalog of @decnet/topology as users read it: a table for people, JSON (snake
// case, as upstream's API) for scripts. Used by `decnet service catalog`, `decnet archetype` and
// `decnet distro`.
import { ARCHETYPES, DISTROS, SERVICES, distroImageRef } from '@decnet/topology';
import { renderTable } from './io.js';

/** One catalog as both outputs. */
export interface CatalogView {
  readonly table: () => string;
  readonly json: () => unknown;
}

/** Every honeypot service a decky can run: ports, capabilities, config fields. */
export const serviceCatalog: CatalogView = {
  table: () =>
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
  json: () =>
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
};

/** Machine roles and what they imply. */
export const archetypeCatalog: CatalogView = {
  table: () =>
    renderTable(
      ['archetype', 'name', 'services', 'distros', 'os'],
      ARCHETYPES.map((a) => [a.slug, a.displayName, a.services.join(','), a.preferredDistros.join(','), a.nmapOs]),
    ),
  json: () =>
    ARCHETYPES.map((a) => ({
      slug: a.slug,
      display_name: a.displayName,
      description: a.description,
      services: a.services,
      preferred_distros: a.preferredDistros,
      nmap_os: a.nmapOs,
    })),
};

/** Base images and hostname styles. */
export const distroCatalog: CatalogView = {
  table: () =>
    renderTable(
      ['distro', 'name', 'image', 'hostnames', 'build base'],
      DISTROS.map((d) => [d.slug, d.displayName, distroImageRef(d), d.hostnameStyle, d.buildBase]),
    ),
  json: () =>
    DISTROS.map((d) => ({
      slug: d.slug,
      display_name: d.displayName,
      image: d.image,
      digest: d.digest,
      hostname_style: d.hostnameStyle,
      build_base: d.buildBase,
    })),
};
