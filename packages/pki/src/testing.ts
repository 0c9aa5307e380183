// Test kit for packages that speak mutual TLS: a throwaway PKI with the certificates the
// listener and forwarder tests need, good ones and deliberately bad ones.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSan } from './names.js';
import { caPaths, certPaths, initCa, issueCertificate, type CertPaths } from './store.js';

/** Paths of a throwaway PKI made by {@link makeTestPki}. */
export interface TestPki {
  /** Directory of the decnet CA and the certificates it issued. */
  readonly dir: string;
  readonly ca: CertPaths;
  /** Server certificate `listener` with SANs 127.0.0.1, ::1 and localhost. */
  readonly listener: CertPaths;
  /** Client certificate `agent-01`. */
  readonly agent: CertPaths;
  /** Client certificate `agent-02`. */
  readonly agent2: CertPaths;
  /** Client certificate from the decnet CA whose subject has no CN. */
  readonly noCn: CertPaths;
  /** Directory of another CA, and a client certificate `agent-01` it issued (an impostor). */
  readonly otherCaDir: string;
  readonly impostor: CertPaths;
  /** Removes everything. */
  cleanup(): void;
}

/** Creates a throwaway PKI under the system temp directory. */
export function makeTestPki(): TestPki {
  const root = mkdtempSync(join(tmpdir(), 'decnet-test-pki-'));
  const dir = join(root, 'pki');
  const otherCaDir = join(root, 'other-ca');
  initCa({ dir });
  issueCertificate({ dir, name: 'listener', usage: ['serverAuth'], subjectAltNames: ['127.0.0.1', '::1', 'localhost'].map(parseSan) });
  issueCertificate({ dir, name: 'agent-01', usage: ['clientAuth'] });
  issueCertificate({ dir, name: 'agent-02', usage: ['clientAuth'] });
  issueCertificate({ dir, name: 'no-cn', usage: ['clientAuth'], subject: { organization: 'decnet', organizationalUnit: 'no common name' } });
  initCa({ dir: otherCaDir });
  issueCertificate({ dir: otherCaDir, name: 'agent-01', usage: ['clientAuth'] });
  return {
    dir,
    ca: caPaths(dir),
    listener: certPaths(dir, 'listener'),
    agent: certPaths(dir, 'agent-01'),
    agent2: certPaths(dir, 'agent-02'),
    noCn: certPaths(dir, 'no-cn'),
    otherCaDir,
    impostor: certPaths(otherCaDir, 'agent-01'),
    cleanup: () => rmSync(root, { recursive: true, force: true }),
  };
}
