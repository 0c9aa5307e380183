// `decnet pki init|issue|list`: the private CA behind the listener/forwarder mutual TLS. Files
// live in $DECNET_HOME/pki (or --dir); keys are 0600 and nothing is overwritten without
// --force. Bad arguments exit 2; an existing file, a missing or unusable CA exit 1.
import { ConfigValidationError, loadConfig } from '@decnet/core';
import {
  CA_VALIDITY_DAYS,
  CaNotFoundError,
  CaUnusableError,
  HOST_VALIDITY_DAYS,
  InvalidCertNameError,
  InvalidSanError,
  PkiFileExistsError,
  defaultPkiDir,
  initCa,
  issueCertificate,
  listCertificates,
  parseSan,
  type CertificateInfo,
  type ExtendedKeyUsage,
} from '@decnet/pki';
import { UsageError, parseCommandArgs, renderJson, renderTable, type CommandIO } from '../io.js';

const SUBCOMMANDS = ['init', 'issue', 'list'] as const;

/** Longest validity accepted by --days (the CA's own default lifetime). */
const MAX_DAYS = CA_VALIDITY_DAYS;

export function help(): string {
  return [
    'Usage: decnet pki <init|issue|list> [options]',
    '',
    'The private CA for mutual TLS between forwarders and the listener. Keys are ECDSA P-256,',
    'signatures SHA-256; the CA is valid 10 years, host certificates 825 days (never past the CA).',
    'Files: <dir>/ca.crt, ca.key and <name>.crt, <name>.key; keys are written 0600 in a 0700 directory.',
    '',
    '  init [--days N] [--force]                 create the CA (--force replaces it: every certificate',
    '                                            it issued stops being trusted)',
    '  issue <name> [--server] [--client] [--san S ...] [--days N] [--force]',
    '                                            a host certificate, CN=<name> (a host name of at most',
    '                                            64 characters); --server and --client choose its key',
    '                                            usage (both when neither is given); DNS:<name> is always',
    '                                            a SAN; --san adds an IP address or DNS name (IP:x, DNS:x)',
    '  list                                      certificates in the directory, checked against the CA',
    '',
    'Options:',
    '      --dir D     PKI directory (default $DECNET_HOME/pki)',
    '      --json      print the result as JSON',
    '',
    'The listener reads listener.crt/.key and ca.crt from $DECNET_HOME/pki by default, a forwarder',
    'forwarder.crt/.key and ca.crt (DECNET_LISTENER_* / DECNET_FORWARDER_CERT, _KEY, _CA override).',
    '',
  ].join('\n');
}

function days(verb: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_DAYS) {
    throw new UsageError(`--days must be a whole number from 1 to ${MAX_DAYS}`, verb);
  }
  return Number(text);
}

function describe(info: CertificateInfo): string {
  return [
    `  subject      ${info.subject}`,
    `  valid until  ${info.notAfter}`,
    ...(info.usage.length > 0 ? [`  usage        ${info.usage.join(', ')}`] : []),
    ...(info.subjectAltNames.length > 0 ? [`  SANs         ${info.subjectAltNames.join(', ')}`] : []),
    `  sha256       ${info.fingerprint256}`,
    '',
  ].join('\n');
}

/** Runs `decnet pki`. */
export async function run(args: string[], io: CommandIO): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(sub === undefined ? 'missing subcommand (init, issue or list)' : `unknown subcommand "${sub}"`, 'pki');
  }
  const verb = `pki ${sub}`;
  const { values, positionals } = parseCommandArgs(
    verb,
    rest,
    {
      dir: { type: 'string' },
      force: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      server: { type: 'boolean', default: false },
      client: { type: 'boolean', default: false },
      san: { type: 'string', multiple: true },
      days: { type: 'string' },
    },
    sub === 'issue',
  );
  if (sub !== 'issue' && (values.server || values.client || values.san)) {
    throw new UsageError('--server, --client and --san apply to issue only', verb);
  }
  if (sub === 'list' && (values.force || values.days !== undefined)) throw new UsageError('--force and --days apply to init and issue', verb);

  let dir = values.dir;
  if (dir === undefined) {
    try {
      dir = defaultPkiDir(loadConfig(io.env).home);
    } catch (err) {
      if (!(err instanceof ConfigValidationError)) throw err;
      for (const e of err.errors) io.stderr(`decnet ${verb}: invalid configuration: ${e.message}\n`);
      return 2;
    }
  }

  try {
    if (sub === 'init') {
      const info = initCa({ dir, force: values.force, days: days(verb, values.days, CA_VALIDITY_DAYS) });
      io.stdout(values.json ? renderJson(info) : `created the CA in ${dir}: ${info.certPath}, ${info.keyPath} (0600)\n${describe(info)}`);
      return 0;
    }
    if (sub === 'issue') {
      if (positionals.length !== 1) throw new UsageError('issue takes exactly one <name>', verb);
      const name = positionals[0] as string;
      const usage: ExtendedKeyUsage[] = [];
      if (values.server) usage.push('serverAuth');
      if (values.client) usage.push('clientAuth');
      const sans = (values.san ?? []).flatMap((s) => s.split(',')).filter((s) => s.trim() !== '').map(parseSan);
      const info = issueCertificate({ dir, name, usage, subjectAltNames: sans, force: values.force, days: days(verb, values.days, HOST_VALIDITY_DAYS) });
      io.stdout(values.json ? renderJson(info) : `issued ${name}: ${info.certPath}, ${info.keyPath} (0600)\n${describe(info)}`);
      return 0;
    }
    const list = listCertificates(dir);
    io.stdout(
      values.json
        ? renderJson(list)
        : renderTable(
            ['name', 'usage', 'valid until', 'ca', 'key', 'sans'],
            list.map((c) => [
              c.name,
              c.usage.join(',') || '-',
              c.expired ? `${c.notAfter} (expired)` : c.notAfter,
              c.issuedByCa ? 'ok' : 'NOT ISSUED BY THIS CA',
              c.keyPath ? 'yes' : 'no',
              c.subjectAltNames.join(', '),
            ]),
          ),
    );
    return 0;
  } catch (err) {
    if (err instanceof InvalidCertNameError || err instanceof InvalidSanError) throw new UsageError(err.message, verb);
    if (err instanceof PkiFileExistsError || err instanceof CaNotFoundError || err instanceof CaUnusableError) {
      io.stderr(`decnet ${verb}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
