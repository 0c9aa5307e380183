// The honeypot service catalog: ports, capabilities, volumes and the config fields each service
// accepts, with the environment variables those fields become inside the service container.

/** How a config field's value is read and rendered. */
export type ConfigFieldType = 'string' | 'password' | 'int' | 'bool' | 'textarea' | 'enum' | 'multi_enum' | 'path';

/** A scalar or list value a service config field holds after coercion. */
export type ConfigValue = string | number | boolean | readonly string[];

/** One operator-settable field of a service. */
export interface ConfigField {
  readonly key: string;
  readonly type: ConfigFieldType;
  readonly description: string;
  /** Environment variable the value becomes; absent for fields that shape compose otherwise. */
  readonly env?: string;
  /** Value used when the field is unset (only rendered when `alwaysEmit`). */
  readonly default?: ConfigValue;
  /** Allowed values of an enum or multi_enum. */
  readonly choices?: readonly string[];
  /** Secret values are masked in listings. */
  readonly secret?: boolean;
  /** Render the default even when the operator set nothing. */
  readonly alwaysEmit?: boolean;
}

/** A bind mount under the artifacts root: `<root>/<decky>/<subdir>:<containerPath>:rw`. */
export interface ArtifactVolume {
  readonly subdir: string;
  readonly containerPath: string;
}

/** One honeypot service. */
export interface ServiceDef {
  readonly slug: string;
  readonly description: string;
  readonly tcpPorts: readonly number[];
  /** UDP ports always served (config may add more, see {@link serviceUdpPorts}). */
  readonly udpPorts: readonly number[];
  /** A fleet singleton (the sniffer) runs once per host, never inside a decky. */
  readonly singleton: boolean;
  /** Build-context directory name under the templates root. */
  readonly template: string;
  /** Suffix of the container name after `<decky>-`. */
  readonly containerSuffix: string;
  readonly capAdd: readonly string[];
  readonly volumes: readonly ArtifactVolume[];
  readonly fixedEnv: Readonly<Record<string, string>>;
  /** Base image the service builds on regardless of the decky's distro. */
  readonly presetBaseImage?: string;
  readonly fields: readonly ConfigField[];
}

const COREDUMP = '/var/lib/systemd/coredump';

function loginFields(prefix: 'SSH' | 'TELNET'): ConfigField[] {
  return [
    { key: 'password', type: 'password', env: `${prefix}_ROOT_PASSWORD`, default: 'admin', secret: true, alwaysEmit: true, description: 'root password accepted' },
    { key: 'user', type: 'string', env: `${prefix}_USER`, default: 'ubuntu', alwaysEmit: true, description: 'unprivileged user name' },
    { key: 'user_password', type: 'password', env: `${prefix}_USER_PASSWORD`, default: 'admin', secret: true, alwaysEmit: true, description: 'password of the unprivileged user' },
    { key: 'hostname', type: 'string', env: `${prefix}_HOSTNAME`, description: 'hostname shown in the shell prompt' },
  ];
}

function httpFields(https: boolean): ConfigField[] {
  const versions = https ? ['http/1.1', 'http/2', 'http/3'] : ['http/1.1', 'http/2'];
  const fields: ConfigField[] = [
    { key: 'server_header', type: 'string', env: 'SERVER_HEADER', description: 'Server response header' },
    { key: 'response_code', type: 'int', env: 'RESPONSE_CODE', default: 200, description: 'status code of the default page' },
    { key: 'fake_app', type: 'enum', env: 'FAKE_APP', default: 'none', choices: ['none', 'wordpress', 'phpmyadmin', 'tomcat', 'jenkins'], description: 'web application to imitate' },
    { key: 'extra_headers', type: 'textarea', env: 'EXTRA_HEADERS', description: 'extra response headers, one per line' },
    { key: 'custom_body', type: 'textarea', env: 'CUSTOM_BODY', description: 'body of the default page' },
    { key: 'http_versions', type: 'multi_enum', env: 'HTTP_VERSIONS', default: ['http/1.1'], choices: versions, description: 'protocol versions offered (JSON list)' },
    { key: 'files', type: 'path', description: 'host directory served read-only (mounted at FILES_DIR)' },
  ];
  if (https) {
    fields.push(
      { key: 'tls_cn', type: 'string', env: 'TLS_CN', description: 'common name of the generated certificate' },
      { key: 'tls_cert', type: 'textarea', env: 'TLS_CERT', secret: true, description: 'PEM certificate (b64: prefix allowed)' },
      { key: 'tls_key', type: 'textarea', env: 'TLS_KEY', secret: true, description: 'PEM private key (b64: prefix allowed)' },
    );
  }
  return fields;
}

function smtpFields(relay: boolean): ConfigField[] {
  const fields: ConfigField[] = [
    { key: 'banner', type: 'string', env: 'SMTP_BANNER', description: 'greeting banner' },
    { key: 'mta', type: 'enum', env: 'SMTP_MTA', default: 'postfix', choices: ['postfix', 'exim', 'sendmail'], description: 'mail server to imitate' },
  ];
  if (relay) {
    // Upstream declared these but never passed them to the container; here they reach it.
    fields.push(
      { key: 'upstream_host', type: 'string', env: 'SMTP_UPSTREAM_HOST', description: 'smarthost that probe mails are relayed to' },
      { key: 'upstream_port', type: 'int', env: 'SMTP_UPSTREAM_PORT', default: 25, description: 'smarthost port' },
      { key: 'upstream_user', type: 'string', env: 'SMTP_UPSTREAM_USER', description: 'smarthost login' },
      { key: 'upstream_pass', type: 'password', env: 'SMTP_UPSTREAM_PASS', secret: true, description: 'smarthost password' },
      { key: 'upstream_sender', type: 'string', env: 'SMTP_UPSTREAM_SENDER', description: 'envelope sender of relayed probes' },
      { key: 'probe_limit', type: 'int', env: 'SMTP_PROBE_LIMIT', default: 1, description: 'probe mails relayed per attacker' },
    );
  }
  return fields;
}

const DNS_FIELDS: ConfigField[] = [
  { key: 'zone_mode', type: 'enum', choices: ['auth', 'recursive', 'open'], default: 'auth', description: 'authoritative, recursive or open resolver' },
  { key: 'domain', type: 'string', default: '', description: 'zone served' },
  { key: 'bind_version', type: 'string', default: '9.11.4-P2-RedHat-9.11.4-26.P2.el7_9.10', description: 'answer to version.bind' },
  { key: 'nsid', type: 'string', default: '', description: 'EDNS NSID' },
  { key: 'extra_records', type: 'textarea', default: '', description: 'extra zone records' },
  { key: 'real_recursive', type: 'bool', default: false, description: 'really resolve recursive queries' },
  { key: 'upstream', type: 'string', default: '8.8.8.8:53', description: 'upstream resolver for real recursion' },
  { key: 'forward_budget', type: 'string', default: '50', description: 'forwarded queries allowed per window' },
  { key: 'forward_window', type: 'string', default: '1.0', description: 'forwarding window in seconds' },
  { key: 'state_path', type: 'string', default: '', description: 'where resolver state is kept' },
].map((f) => ({ ...f, env: `DNS_${f.key.toUpperCase()}`, alwaysEmit: true }) as ConfigField);

interface Partial_ {
  slug: string;
  description: string;
  tcp: number[];
  udp?: number[];
  singleton?: boolean;
  template?: string;
  suffix?: string;
  cap?: string[];
  volumes?: ArtifactVolume[];
  env?: Record<string, string>;
  baseImage?: string;
  fields?: ConfigField[];
}

function def(p: Partial_): ServiceDef {
  return {
    slug: p.slug,
    description: p.description,
    tcpPorts: p.tcp,
    udpPorts: p.udp ?? [],
    singleton: p.singleton ?? false,
    template: p.template ?? p.slug,
    containerSuffix: p.suffix ?? p.slug,
    capAdd: p.cap ?? [],
    volumes: p.volumes ?? [],
    fixedEnv: p.env ?? {},
    ...(p.baseImage ? { presetBaseImage: p.baseImage } : {}),
    fields: p.fields ?? [],
  };
}

/** Every registered service (29), sorted by slug. */
export const SERVICES: readonly ServiceDef[] = [
  def({ slug: 'conpot', description: 'ICS/SCADA honeypot (Modbus, SNMP, HTTP HMI)', tcp: [502, 161, 80], env: { CONPOT_TEMPLATE: 'default' }, baseImage: 'honeynet/conpot:latest' }),
  def({ slug: 'dns', description: 'DNS server (authoritative or resolver)', tcp: [53], udp: [53], fields: DNS_FIELDS }),
  def({ slug: 'docker_api', description: 'exposed Docker Engine API', tcp: [2375, 2376], suffix: 'docker-api' }),
  def({ slug: 'elasticsearch', description: 'Elasticsearch REST API', tcp: [9200] }),
  def({ slug: 'ftp', description: 'FTP server', tcp: [21] }),
  def({ slug: 'http', description: 'web server with optional fake application', tcp: [80, 443], fields: httpFields(false) }),
  def({ slug: 'https', description: 'TLS web server (HTTP/1.1, 2, 3)', tcp: [443], fields: httpFields(true) }),
  def({ slug: 'imap', description: 'IMAP mail access', tcp: [143, 993] }),
  def({ slug: 'k8s', description: 'Kubernetes API server', tcp: [6443, 8080] }),
  def({ slug: 'ldap', description: 'LDAP directory', tcp: [389, 636], cap: ['NET_BIND_SERVICE'] }),
  def({ slug: 'llmnr', description: 'LLMNR/mDNS name resolution poisoning bait', tcp: [5355, 5353] }),
  def({ slug: 'mongodb', description: 'MongoDB wire protocol', tcp: [27017] }),
  def({ slug: 'mqtt', description: 'MQTT broker', tcp: [1883] }),
  def({ slug: 'mssql', description: 'Microsoft SQL Server (TDS)', tcp: [1433] }),
  def({ slug: 'mysql', description: 'MySQL server', tcp: [3306], fields: [{ key: 'version', type: 'string', env: 'MYSQL_VERSION', description: 'server version string' }] }),
  def({ slug: 'pop3', description: 'POP3 mail access', tcp: [110, 995] }),
  def({ slug: 'postgres', description: 'PostgreSQL server', tcp: [5432] }),
  def({ slug: 'rdp', description: 'Remote Desktop', tcp: [3389], fields: [{ key: 'nla', type: 'bool', env: 'RDP_ENABLE_NLA', default: false, description: 'require network level authentication' }] }),
  def({
    slug: 'redis',
    description: 'Redis server',
    tcp: [6379],
    fields: [
      { key: 'version', type: 'string', env: 'REDIS_VERSION', description: 'server version string' },
      { key: 'os_string', type: 'string', env: 'REDIS_OS', description: 'os field of INFO' },
    ],
  }),
  def({ slug: 'sip', description: 'SIP VoIP registrar', tcp: [5060] }),
  def({ slug: 'smb', description: 'SMB file shares', tcp: [445, 139], cap: ['NET_BIND_SERVICE'] }),
  def({
    slug: 'smtp',
    description: 'SMTP mail server (quarantines received mail)',
    tcp: [25, 587],
    cap: ['NET_BIND_SERVICE'],
    volumes: [{ subdir: 'smtp', containerPath: '/var/spool/mqueue' }],
    env: { SMTP_QUARANTINE_DIR: '/var/spool/mqueue' },
    fields: smtpFields(false),
  }),
  def({
    slug: 'smtp_relay',
    description: 'open SMTP relay bait',
    tcp: [25, 587],
    template: 'smtp',
    cap: ['NET_BIND_SERVICE'],
    volumes: [{ subdir: 'smtp', containerPath: '/var/spool/mqueue' }],
    env: { SMTP_QUARANTINE_DIR: '/var/spool/mqueue', SMTP_SERVICE_NAME: 'smtp_relay', SMTP_OPEN_RELAY: '1' },
    fields: smtpFields(true),
  }),
  def({ slug: 'sniffer', description: 'passive capture on the decoy LAN (one per host)', tcp: [], singleton: true, cap: ['NET_RAW', 'NET_ADMIN'] }),
  def({ slug: 'snmp', description: 'SNMP agent', tcp: [161] }),
  def({
    slug: 'ssh',
    description: 'SSH server with a fake shell',
    tcp: [22],
    cap: ['NET_BIND_SERVICE'],
    volumes: [{ subdir: 'ssh', containerPath: COREDUMP }],
    fields: loginFields('SSH'),
  }),
  def({
    slug: 'telnet',
    description: 'telnet server with a fake shell',
    tcp: [23],
    cap: ['NET_BIND_SERVICE'],
    volumes: [{ subdir: 'telnet', containerPath: COREDUMP }],
    fields: loginFields('TELNET'),
  }),
  def({ slug: 'tftp', description: 'TFTP server', tcp: [69] }),
  def({ slug: 'vnc', description: 'VNC remote desktop', tcp: [5900] }),
];

const BY_SLUG = new Map(SERVICES.map((s) => [s.slug, s]));

/** The service with this slug, or undefined. */
export function getService(slug: string): ServiceDef | undefined {
  return BY_SLUG.get(slug);
}

/** Slugs of the services a decky can run (every non-singleton), sorted. */
export const DECKY_SERVICE_SLUGS: readonly string[] = SERVICES.filter((s) => !s.singleton)
  .map((s) => s.slug)
  .sort();

/** True when `slug` is a service a decky can run. */
export function isDeckyService(slug: string): boolean {
  const s = BY_SLUG.get(slug);
  return s !== undefined && !s.singleton;
}

/** Coerced service config plus the problems met on the way. */
export interface CoercedConfig {
  /** Known fields with valid values, in field order. */
  readonly values: Readonly<Record<string, ConfigValue>>;
  /** Keys the service does not declare (kept by callers that pass them through). */
  readonly unknownKeys: readonly string[];
  /** One line per invalid value. */
  readonly problems: readonly string[];
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'off', '0']);

function coerceOne(f: ConfigField, raw: unknown): { ok: true; value: ConfigValue | undefined } | { ok: false; reason: string } {
  if (raw === null || raw === undefined || raw === '') return { ok: true, value: undefined };
  switch (f.type) {
    case 'string':
    case 'password':
    case 'path':
      if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') return { ok: true, value: String(raw) };
      return { ok: false, reason: 'expected a string' };
    case 'textarea': {
      if (typeof raw !== 'string') return { ok: false, reason: 'expected text' };
      if (!raw.startsWith('b64:')) return { ok: true, value: raw };
      const body = raw.slice(4).replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body) || body.length % 4 !== 0) return { ok: false, reason: 'b64: value is not valid base64' };
      return { ok: true, value: Buffer.from(body, 'base64').toString('utf8') };
    }
    case 'int': {
      const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
      if (!Number.isSafeInteger(n)) return { ok: false, reason: `expected an integer, got ${JSON.stringify(raw)}` };
      return { ok: true, value: n };
    }
    case 'bool': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      const w = String(raw).trim().toLowerCase();
      if (TRUE_WORDS.has(w)) return { ok: true, value: true };
      if (FALSE_WORDS.has(w)) return { ok: true, value: false };
      return { ok: false, reason: `expected true or false, got ${JSON.stringify(raw)}` };
    }
    case 'enum': {
      const v = String(raw);
      if (f.choices?.includes(v)) return { ok: true, value: v };
      return { ok: false, reason: `expected one of ${f.choices?.join('|')}, got ${JSON.stringify(raw)}` };
    }
    case 'multi_enum': {
      const items = Array.isArray(raw) ? raw.map(String) : typeof raw === 'string' ? raw.split(',') : null;
      if (!items) return { ok: false, reason: 'expected a list' };
      const list = [...new Set(items.map((s) => s.trim()).filter((s) => s !== ''))];
      if (list.length === 0) return { ok: false, reason: 'expected at least one value' };
      const bad = list.find((v) => !f.choices?.includes(v));
      if (bad !== undefined) return { ok: false, reason: `expected values from ${f.choices?.join('|')}, got ${JSON.stringify(bad)}` };
      return { ok: true, value: list };
    }
  }
}

/**
 * Coerces an operator's config for service `slug`: empty values are dropped, known fields are
 * converted to their type (ints, booleans, `b64:` text, de-duplicated lists), unknown keys are
 * listed separately. Never throws; problems are returned as `<slug>.<key>: reason` lines.
 */
export function coerceServiceConfig(slug: string, raw: Readonly<Record<string, unknown>> | undefined): CoercedConfig {
  const svc = BY_SLUG.get(slug);
  const values: Record<string, ConfigValue> = {};
  const problems: string[] = [];
  const known = new Set(svc?.fields.map((f) => f.key) ?? []);
  const unknownKeys = Object.keys(raw ?? {}).filter((k) => !known.has(k));
  for (const f of svc?.fields ?? []) {
    const r = coerceOne(f, raw?.[f.key]);
    if (!r.ok) problems.push(`${slug}.${f.key}: ${r.reason}`);
    else if (r.value !== undefined) values[f.key] = r.value;
  }
  return { values, unknownKeys, problems };
}

function envValue(v: ConfigValue): string {
  if (Array.isArray(v)) return JSON.stringify(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return String(v);
}

/** Container path where an http(s) `files` directory is mounted. */
export const FILES_MOUNT = '/srv/decnet/files';

/**
 * The environment a service container gets from its config: declared field values (defaults
 * for `alwaysEmit` fields), then fixed variables. `NODE_NAME`/`HOSTNAME` are added by the
 * compose renderers.
 */
export function serviceEnvironment(svc: ServiceDef, values: Readonly<Record<string, ConfigValue>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const f of svc.fields) {
    const v = values[f.key] ?? (f.alwaysEmit ? f.default : undefined);
    if (f.env && v !== undefined) env[f.env] = envValue(v);
  }
  if (values['files'] !== undefined) env['FILES_DIR'] = FILES_MOUNT;
  Object.assign(env, svc.fixedEnv);
  return env;
}

/** UDP ports a service serves with this config: the fixed ones, plus 443 for https with http/3. */
export function serviceUdpPorts(svc: ServiceDef, values: Readonly<Record<string, ConfigValue>>): number[] {
  const ports = [...svc.udpPorts];
  const versions = values['http_versions'];
  if (svc.slug === 'https' && Array.isArray(versions) && versions.includes('http/3')) ports.push(443);
  return ports;
}
