/**
 * The decnet private PKI: a CA and the host certificates the listener and forwarders use for
 * mutual TLS. Keys are ECDSA P-256 and signatures ecdsa-with-SHA256; certificates are built in
 * DER and signed with node:crypto, so there is no dependency and no openssl at run time.
 * Also what both ends of the mutual-TLS syslog link share: the naming rule a certificate's CN
 * must follow (the listener re-checks it), TLS settings, and the acknowledged framing.
 *
 * ```ts
 * import { defaultPkiDir, initCa, issueCertificate, parseSan } from '@decnet/pki';
 * const dir = defaultPkiDir(config.home);                      // $DECNET_HOME/pki
 * initCa({ dir });                                             // ca.key (0600) + ca.crt
 * issueCertificate({ dir, name: 'listener', usage: ['serverAuth'], subjectAltNames: [parseSan('127.0.0.1')] });
 * issueCertificate({ dir, name: 'agent-01', usage: ['clientAuth'] });
 * ```
 * @module
 */

// certificate.ts
export type { CertificateIssuer, CertificateSpec, DistinguishedName, ExtendedKeyUsage } from './certificate.js';
export { OID, buildCertificate, encodeName, fromPem, ipBytes, keyIdentifier, subjectNameDer, toPem } from './certificate.js';
// errors.ts
export {
  CaNotFoundError,
  CaUnusableError,
  InvalidCertNameError,
  InvalidSanError,
  PkiFileExistsError,
  PkiFormatError,
} from './errors.js';
// link.ts
export type { LinkMessage, PeerIdentity, PeerIdentityFailure } from './link.js';
export {
  LINE_FRAME_OVERHEAD,
  LINK_ALPN,
  LINK_MIN_TLS_VERSION,
  STREAM_ID_PATTERN,
  SYSLOG_TLS_PORT,
  decodeLinkMessage,
  encodeAckFrame,
  encodeLineFrame,
  peerIdentity,
} from './link.js';
// names.ts
export type { SubjectAltName } from './names.js';
export {
  MAX_CERT_NAME_LENGTH,
  RESERVED_CERT_NAMES,
  assertCertName,
  certNameProblem,
  isValidCertName,
  parseSan,
} from './names.js';
// store.ts
export type { CertPaths, CertificateInfo, InitCaOptions, IssueOptions, ListedCertificate, LoadedCa } from './store.js';
export {
  BACKDATE_MS,
  CA_CERT_FILE,
  CA_COMMON_NAME,
  CA_KEY_FILE,
  CA_VALIDITY_DAYS,
  HOST_VALIDITY_DAYS,
  KEY_CURVE,
  PKI_DIR_NAME,
  PKI_ORGANIZATION,
  caPaths,
  certPaths,
  defaultPkiDir,
  initCa,
  issueCertificate,
  listCertificates,
  loadCa,
  readPemFile,
} from './store.js';
