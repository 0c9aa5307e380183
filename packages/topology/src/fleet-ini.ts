// Reads a fleet INI file (`decnet deploy --config FILE`) into typed decky specs: [general]
// network settings, one section per decky (or group of deckies), [decky.service] config
// sections, and [custom-X] bring-your-own services. Every problem names its line.
import { isOsFamily, type OsFamily } from './catalog/os-profiles.js';
import { TopologyInputError } from './errors.js';
import { type IniSection, parseIni } from './ini.js';

/** Largest `amount` one section may expand to. */
export const MAX_SECTION_AMOUNT = 100;

/** The `[general]` section. */
export interface FleetIniGeneral {
  readonly subnet?: string;
  readonly gateway?: string;
  readonly interface?: string;
  readonly logTarget?: string;
}

/** A decky section before `amount` expansion. */
export interface FleetIniDecky {
  readonly name: string;
  readonly line: number;
  readonly ip?: string;
  readonly services?: readonly string[];
  readonly archetype?: string;
  readonly distro?: string;
  readonly nmapOs?: OsFamily;
  readonly mutateInterval?: number;
  readonly amount: number;
  /** `[name.svc]` sections: service → raw key/values. */
  readonly serviceConfig: Readonly<Record<string, Readonly<Record<string, string>>>>;
}

/** A `[custom-<slug>]` bring-your-own service: any image, run in the decky's namespace. */
export interface CustomServiceDef {
  readonly slug: string;
  readonly image: string;
  readonly command?: readonly string[];
  readonly ports: readonly number[];
}

/** A whole fleet INI file. */
export interface FleetIni {
  readonly general: FleetIniGeneral;
  readonly deckies: readonly FleetIniDecky[];
  readonly customServices: readonly CustomServiceDef[];
}

/** Names usable as decky and service names: they become container names. */
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_-]{0,62}$/;

const DECKY_KEYS = new Set(['ip', 'services', 'archetype', 'distro', 'nmap_os', 'nmap-os', 'mutate_interval', 'amount']);
const GENERAL_KEYS = new Set(['net', 'gw', 'interface', 'log_target']);
const CUSTOM_KEYS = new Set(['binary', 'exec', 'ports']);

/** Splits a comma list, dropping blanks. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

/**
 * Parses and checks a fleet INI file. `source` names the file in messages. Throws
 * TopologyInputError with `<source>:<line>: <problem>` for the first problem found.
 */
export function readFleetIni(text: string, source = 'config'): FleetIni {
  const parsed = parseIni(text);
  const fail = (line: number, msg: string): never => {
    throw new TopologyInputError('config', `${source}:${line > 0 ? `${line}:` : ''} ${msg}`);
  };
  if (!parsed.ok) return fail(parsed.line, parsed.reason);
  let general: FleetIniGeneral = {};
  const deckies: FleetIniDecky[] = [];
  const customs: CustomServiceDef[] = [];
  const svcSections: IniSection[] = [];
  for (const s of parsed.sections) {
    const get = (k: string): string | undefined => s.entries.find((e) => e.key === k)?.value;
    const lineOf = (k: string): number => s.entries.find((e) => e.key === k)?.line ?? s.line;
    const rejectUnknown = (allowed: Set<string>): void => {
      const bad = s.entries.find((e) => !allowed.has(e.key));
      if (bad) fail(bad.line, `unknown key "${bad.key}" in [${s.name}] (allowed: ${[...allowed].join(', ')})`);
    };
    if (s.name === 'general') {
      rejectUnknown(GENERAL_KEYS);
      const logTarget = get('log_target');
      if (logTarget !== undefined && !isHostPort(logTarget)) fail(lineOf('log_target'), `log_target must be host:port, got ${JSON.stringify(logTarget)}`);
      general = {
        ...(get('net') ? { subnet: get('net') } : {}),
        ...(get('gw') ? { gateway: get('gw') } : {}),
        ...(get('interface') ? { interface: get('interface') } : {}),
        ...(logTarget ? { logTarget } : {}),
      };
    } else if (s.name.startsWith('custom-')) {
      rejectUnknown(CUSTOM_KEYS);
      const slug = s.name.slice('custom-'.length);
      if (!NAME_PATTERN.test(slug)) fail(s.line, `bad custom service name ${JSON.stringify(slug)}`);
      const image = get('binary');
      if (!image) fail(s.line, `[${s.name}] needs binary = <image>`);
      const ports: number[] = [];
      for (const p of splitList(get('ports') ?? '')) {
        const n = /^\d+$/.test(p) ? Number(p) : NaN;
        if (!(n >= 1 && n <= 65535)) fail(lineOf('ports'), `bad port ${JSON.stringify(p)} in [${s.name}]`);
        ports.push(n);
      }
      const exec = get('exec');
      customs.push({ slug, image: image as string, ...(exec ? { command: exec.split(/\s+/).filter((w) => w !== '') } : {}), ports });
    } else if (s.name.includes('.')) {
      svcSections.push(s);
    } else {
      if (!NAME_PATTERN.test(s.name)) fail(s.line, `bad decky name ${JSON.stringify(s.name)} (letters, digits, - and _ only)`);
      rejectUnknown(DECKY_KEYS);
      const amountText = get('amount');
      let amount = 1;
      if (amountText !== undefined) {
        amount = /^\d+$/.test(amountText) ? Number(amountText) : NaN;
        if (!(amount >= 1 && amount <= MAX_SECTION_AMOUNT)) fail(lineOf('amount'), `amount must be 1-${MAX_SECTION_AMOUNT}, got ${JSON.stringify(amountText)}`);
      }
      const ip = get('ip');
      if (ip !== undefined && amount > 1) fail(lineOf('ip'), `[${s.name}] cannot set both ip and amount > 1`);
      const nmap = get('nmap_os') ?? get('nmap-os');
      if (nmap !== undefined && !isOsFamily(nmap)) fail(lineOf(get('nmap_os') !== undefined ? 'nmap_os' : 'nmap-os'), `unknown nmap_os ${JSON.stringify(nmap)} (linux, windows, bsd, embedded, cisco)`);
      const mi = get('mutate_interval');
      let mutateInterval: number | undefined;
      if (mi !== undefined) {
        mutateInterval = /^\d+$/.test(mi) ? Number(mi) : NaN;
        if (!(mutateInterval >= 1)) fail(lineOf('mutate_interval'), `mutate_interval must be a positive number of minutes, got ${JSON.stringify(mi)}`);
      }
      const services = get('services');
      deckies.push({
        name: s.name,
        line: s.line,
        amount,
        serviceConfig: {},
        ...(ip !== undefined ? { ip } : {}),
        ...(services !== undefined ? { services: splitList(services) } : {}),
        ...(get('archetype') ? { archetype: get('archetype') } : {}),
        ...(get('distro') ? { distro: get('distro') } : {}),
        ...(nmap !== undefined ? { nmapOs: nmap as OsFamily } : {}),
        ...(mutateInterval !== undefined ? { mutateInterval } : {}),
      });
    }
  }
  for (const s of svcSections) {
    const dot = s.name.indexOf('.');
    const deckyName = s.name.slice(0, dot);
    const svc = s.name.slice(dot + 1);
    const decky = deckies.find((d) => d.name === deckyName);
    if (!decky) return fail(s.line, `[${s.name}] configures a service of unknown decky "${deckyName}"`);
    (decky.serviceConfig as Record<string, Record<string, string>>)[svc] = Object.fromEntries(s.entries.map((e) => [e.key, e.value]));
  }
  if (deckies.length === 0) fail(0, 'no decky sections (add at least one [name] section)');
  return { general, deckies, customServices: customs };
}

/** True for `host:port` with a port in 1-65535 and a host without spaces or slashes. */
export function isHostPort(value: string): boolean {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^\s:/[\]]+):(\d{1,5})$/.exec(value);
  return m !== null && Number(m[2]) >= 1 && Number(m[2]) <= 65535;
}
