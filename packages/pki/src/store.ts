// The PKI directory: creating the private CA, issuing host certificates signed by it, and
// listing them. Keys are written 0600 in a 0700 directory, atomically, and never replaced
// unless the caller says `force`.
import { X509Certificate, createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  buildCertificate,
  fromPem,
  keyIdentifier,
  subjectNameDer,
  toPem,
  type DistinguishedName,
  type ExtendedKeyUsage,
} from './certificate.js';
import { CaNotFoundError, CaUnusableError, PkiFileExistsError, PkiFormatError } from './errors.js';
import { assertCertName, type SubjectAltName } from './names.js';

/** The curve of every decnet key: small keys, fast handshakes, supported by every TLS stack we meet. */
export const KEY_CURVE = 'prime256v1';
/** The CA outlives many host certificates: ten years, as upstream's CA. */
export const CA_VALIDITY_DAYS = 3650;
/** Host certificates: 825 days, upstream's figure and the longest lifetime common TLS clients accept. */
export const HOST_VALIDITY_DAYS = 825;
/** Certificates start this far in the past so a peer whose clock runs slightly behind accepts them. */
export const BACKDATE_MS = 5 * 60 * 1000;
/** Subdirectory of DECNET_HOME that holds the PKI by default. */
export const PKI_DIR_NAME = 'pki';
/** Organisation stamped on every decnet certificate. */
export const PKI_ORGANIZATION = 'decnet';
/** CommonName of the CA. */
export const CA_COMMON_NAME = 'decnet private CA';
/** File names of the CA in the PKI directory. */
export const CA_CERT_FILE = 'ca.crt';
export const CA_KEY_FILE = 'ca.key';

const DAY_MS = 24 * 60 * 60 * 1000;
const KEY_MODE = 0o600;
const CERT_MODE = 0o644;
const DIR_MODE = 0o700;

/** `$DECNET_HOME/pki`. */
export function defaultPkiDir(home: string): string {
  return join(home, PKI_DIR_NAME);
}

/** Paths of one certificate and its key. */
export interface CertPaths {
  readonly cert: string;
  readonly key: string;
}

/** Where the CA lives in `dir`. */
export function caPaths(dir: string): CertPaths {
  return { cert: join(dir, CA_CERT_FILE), key: join(dir, CA_KEY_FILE) };
}

/** Where host certificate `name` lives in `dir`: `<name>.crt` and `<name>.key`. */
export function certPaths(dir: string, name: string): CertPaths {
  return { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
}

/** Summary of a certificate on disk. */
export interface CertificateInfo {
  readonly name: string;
  readonly certPath: string;
  /** Absent for certificates found by {@link listCertificates} without a key beside them. */
  readonly keyPath?: string;
  readonly subject: string;
  readonly serial: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly fingerprint256: string;
  readonly subjectAltNames: readonly string[];
  readonly usage: readonly ExtendedKeyUsage[];
}

function describe(name: string, certPath: string, cert: X509Certificate, keyPath?: string): CertificateInfo {
  const usage = (cert.keyUsage ?? [])
    .map((u) => (u === '1.3.6.1.5.5.7.3.1' ? 'serverAuth' : u === '1.3.6.1.5.5.7.3.2' ? 'clientAuth' : null))
    .filter((u): u is ExtendedKeyUsage => u !== null);
  return {
    name,
    certPath,
    ...(keyPath === undefined ? {} : { keyPath }),
    subject: cert.subject.replace(/\n/g, ', '),
    serial: cert.serialNumber,
    notBefore: new Date(cert.validFrom).toISOString(),
    notAfter: new Date(cert.validTo).toISOString(),
    fingerprint256: cert.fingerprint256,
    subjectAltNames: cert.subjectAltName ? cert.subjectAltName.split(', ') : [],
    usage,
  };
}

/** Writes `data` to a temporary file, flushes it, then links (or, with `force`, renames) it into place. */
function writeAtomically(path: string, data: string, mode: number, force: boolean): void {
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, data);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    if (force) {
      renameSync(tmp, path);
      return;
    }
    try {
      linkSync(tmp, path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new PkiFileExistsError(path);
      throw err;
    }
  } finally {
    if (existsSync(tmp)) unlinkSync(tmp);
  }
}

function refuseExisting(paths: CertPaths, force: boolean): void {
  if (force) return;
  for (const path of [paths.key, paths.cert]) if (existsSync(path)) throw new PkiFileExistsError(path);
}

function newKeyPair(): { publicKey: KeyObject; privateKey: KeyObject } {
  return generateKeyPairSync('ec', { namedCurve: KEY_CURVE });
}

/** Writes a fresh key (0600, first) and its certificate, and describes what was written. */
function writeKeyAndCertificate(name: string, paths: CertPaths, privateKey: KeyObject, der: Buffer, force: boolean): CertificateInfo {
  writeAtomically(paths.key, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), KEY_MODE, force);
  writeAtomically(paths.cert, toPem('CERTIFICATE', der), CERT_MODE, force);
  return describe(name, paths.cert, new X509Certificate(der), paths.key);
}

/** Options for {@link initCa}. */
export interface InitCaOptions {
  readonly dir: string;
  /** Replace an existing CA (every certificate it issued stops being trusted). @default false */
  readonly force?: boolean;
  /** @default {@link CA_VALIDITY_DAYS} */
  readonly days?: number;
  /** @default now */
  readonly now?: Date;
}

/**
 * Creates the private CA in `dir` (made 0700 if absent): an ECDSA P-256 key (`ca.key`, 0600)
 * and a self-signed certificate (`ca.crt`).
 * @throws PkiFileExistsError when either file exists and `force` is not set.
 */
export function initCa(options: InitCaOptions): CertificateInfo {
  const paths = caPaths(options.dir);
  const force = options.force ?? false;
  mkdirSync(options.dir, { recursive: true, mode: DIR_MODE });
  refuseExisting(paths, force);
  const now = options.now ?? new Date();
  const { publicKey, privateKey } = newKeyPair();
  const der = buildCertificate({
    subject: { organization: PKI_ORGANIZATION, commonName: CA_COMMON_NAME },
    publicKey,
    issuer: null,
    selfKey: privateKey,
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(now.getTime() + (options.days ?? CA_VALIDITY_DAYS) * DAY_MS),
    ca: true,
  });
  return writeKeyAndCertificate('ca', paths, privateKey, der, force);
}

/** A CA loaded for signing. */
export interface LoadedCa {
  readonly cert: X509Certificate;
  readonly key: KeyObject;
  /** The CA's subject Name as stored, for the issuer field of the certificates it signs. */
  readonly name: Buffer;
  readonly keyId: Buffer;
}

/**
 * Loads and checks the CA in `dir`: both files present, the key matches the certificate, the
 * certificate is a CA, unexpired at `now`, and its key is EC P-256.
 * @throws CaNotFoundError, CaUnusableError, PkiFormatError
 */
export function loadCa(dir: string, now: Date = new Date()): LoadedCa {
  const paths = caPaths(dir);
  for (const path of [paths.key, paths.cert]) if (!existsSync(path)) throw new CaNotFoundError(dir, path);
  let certFile: Buffer;
  let cert: X509Certificate;
  let key: KeyObject;
  try {
    certFile = readFileSync(paths.cert);
    cert = new X509Certificate(certFile);
    key = createPrivateKey(readFileSync(paths.key));
  } catch (err) {
    throw new CaUnusableError(dir, `cannot read ${CA_KEY_FILE}/${CA_CERT_FILE}: ${(err as Error).message}`);
  }
  if (!cert.ca) throw new CaUnusableError(dir, `${CA_CERT_FILE} is not a CA certificate`);
  if (!cert.checkPrivateKey(key)) throw new CaUnusableError(dir, `${CA_KEY_FILE} does not match ${CA_CERT_FILE}`);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== KEY_CURVE) {
    throw new CaUnusableError(dir, `the CA key must be EC ${KEY_CURVE}`);
  }
  if (new Date(cert.validTo).getTime() <= now.getTime()) throw new CaUnusableError(dir, `it expired on ${new Date(cert.validTo).toISOString()}`);
  const der = fromPem('CERTIFICATE', certFile.toString('utf8'));
  return { cert, key, name: subjectNameDer(der), keyId: keyIdentifier(cert.publicKey) };
}

/** Options for {@link issueCertificate}. */
export interface IssueOptions {
  readonly dir: string;
  /** The CN and file name; see {@link certNameProblem}. */
  readonly name: string;
  /** @default ['serverAuth', 'clientAuth'] */
  readonly usage?: readonly ExtendedKeyUsage[];
  /** Extra subjectAltNames; `DNS:<name>` is always included. */
  readonly subjectAltNames?: readonly SubjectAltName[];
  /** @default {@link HOST_VALIDITY_DAYS}, never past the CA's own expiry */
  readonly days?: number;
  /** @default false */
  readonly force?: boolean;
  /** @default now */
  readonly now?: Date;
  /**
   * Subject override, for tests that need deliberately odd certificates (e.g. without a CN).
   * @internal
   */
  readonly subject?: DistinguishedName;
}

/**
 * Issues a host certificate signed by the CA in `dir`: a fresh ECDSA P-256 key (`<name>.key`,
 * 0600) and `<name>.crt` with `CN=<name>, O=decnet`, the requested extended key usages and
 * subjectAltNames.
 * @throws InvalidCertNameError, CaNotFoundError, CaUnusableError, PkiFileExistsError
 */
export function issueCertificate(options: IssueOptions): CertificateInfo {
  const name = assertCertName(options.name);
  const force = options.force ?? false;
  const now = options.now ?? new Date();
  const ca = loadCa(options.dir, now);
  const paths = certPaths(options.dir, name);
  refuseExisting(paths, force);
  const usage: readonly ExtendedKeyUsage[] = options.usage && options.usage.length > 0 ? options.usage : ['serverAuth', 'clientAuth'];
  const sans: SubjectAltName[] = [{ type: 'dns', value: name }];
  for (const san of options.subjectAltNames ?? []) {
    if (!sans.some((s) => s.type === san.type && s.value.toLowerCase() === san.value.toLowerCase())) sans.push(san);
  }
  const caExpiry = new Date(ca.cert.validTo).getTime();
  const notAfter = Math.min(now.getTime() + (options.days ?? HOST_VALIDITY_DAYS) * DAY_MS, caExpiry);
  const { publicKey, privateKey } = newKeyPair();
  const der = buildCertificate({
    subject: options.subject ?? { organization: PKI_ORGANIZATION, commonName: name },
    publicKey,
    issuer: { name: ca.name, privateKey: ca.key, keyId: ca.keyId },
    notBefore: new Date(now.getTime() - BACKDATE_MS),
    notAfter: new Date(notAfter),
    ca: false,
    extKeyUsage: usage,
    subjectAltNames: sans,
  });
  return writeKeyAndCertificate(name, paths, privateKey, der, force);
}

/** One entry of {@link listCertificates}. */
export interface ListedCertificate extends CertificateInfo {
  /** Signed by this directory's CA (false for strays and for the CA itself). */
  readonly issuedByCa: boolean;
  readonly expired: boolean;
}

/**
 * Every `*.crt` in `dir` except the CA, sorted by name, checked against the CA when present.
 * Unreadable files are skipped.
 */
export function listCertificates(dir: string, now: Date = new Date()): ListedCertificate[] {
  if (!existsSync(dir)) return [];
  let caCert: X509Certificate | undefined;
  try {
    caCert = new X509Certificate(readFileSync(caPaths(dir).cert));
  } catch {
    caCert = undefined;
  }
  const out: ListedCertificate[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.crt') || file === CA_CERT_FILE) continue;
    const name = file.slice(0, -'.crt'.length);
    const paths = certPaths(dir, name);
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(readFileSync(paths.cert));
    } catch {
      continue;
    }
    out.push({
      ...describe(name, paths.cert, cert, existsSync(paths.key) ? paths.key : undefined),
      issuedByCa: caCert !== undefined && cert.checkIssued(caCert) && cert.verify(caCert.publicKey),
      expired: new Date(cert.validTo).getTime() <= now.getTime(),
    });
  }
  return out;
}

/**
 * Reads a PEM file, for TLS options.
 * @throws PkiFormatError naming the file when it is missing or not PEM.
 */
export function readPemFile(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new PkiFormatError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  if (!text.includes('-----BEGIN ')) throw new PkiFormatError(`${path} is not a PEM file`);
  return text;
}
