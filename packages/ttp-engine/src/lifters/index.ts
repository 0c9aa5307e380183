// The lifter registry: every lifter by the name rules use after `lifter:`.
import * as behavioral from './behavioral.js';
import * as canary from './canary.js';
import * as credential from './credential.js';
import * as email from './email.js';
import * as intel from './intel.js';
import { ipv6LinkLocalLeak } from './ipv6.js';
import type { Lifter } from './lifter.js';

const ALL: readonly Lifter<unknown>[] = [
  credential.authBruteGeneric,
  credential.passwordGuessing,
  credential.credentialReuse,
  credential.validAccountUse,
  credential.defaultCredentials,
  credential.passwordSpraying,
  behavioral.beaconing,
  behavioral.dataDestruction,
  behavioral.ransomNote,
  behavioral.exfilOverWeb,
  behavioral.dbMassRead,
  behavioral.credentialsInFiles,
  behavioral.k8sServiceAccountToken,
  behavioral.dockerEscape,
  behavioral.llmnrPoisoning,
  behavioral.tftpRouterConfig,
  email.openRelay,
  email.massPhish,
  email.xmailerKit,
  email.idnUrl,
  email.senderMasquerade,
  email.maliciousAttachment,
  email.bec,
  email.encodedPayload,
  canary.webdriver,
  canary.automationHash,
  canary.webrtcLeak,
  canary.tzLangMismatch,
  canary.platformInconsistency,
  intel.abuseIpdb,
  intel.greyNoise,
  intel.feodo,
  intel.threatFox,
  intel.aggregateBump,
  ipv6LinkLocalLeak,
] as readonly Lifter<unknown>[];

/** Every lifter, by name. */
export const LIFTERS: ReadonlyMap<string, Lifter<unknown>> = new Map(ALL.map((l) => [l.name, l]));
