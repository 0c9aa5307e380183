// Archetypes: named machine roles (a Windows workstation, a mail server...) that fix a decky's
// services, preferred distros and OS fingerprint in one choice.
import type { OsFamily } from './os-profiles.js';

/** One machine role. */
export interface ArchetypeDef {
  readonly slug: string;
  readonly displayName: string;
  readonly description: string;
  readonly services: readonly string[];
  /** Distros cycled through for deckies of this archetype. */
  readonly preferredDistros: readonly string[];
  readonly nmapOs: OsFamily;
}

/** Every archetype, in catalog order. */
export const ARCHETYPES: readonly ArchetypeDef[] = [
  {
    slug: 'windows-workstation',
    displayName: 'Windows Workstation',
    description: 'Office desktop exposing file shares and remote desktop',
    services: ['smb', 'rdp'],
    preferredDistros: ['debian', 'ubuntu22'],
    nmapOs: 'windows',
  },
  {
    slug: 'windows-server',
    displayName: 'Windows Server',
    description: 'Member server with shares, remote desktop and directory lookups',
    services: ['smb', 'rdp', 'ldap'],
    preferredDistros: ['debian', 'ubuntu22'],
    nmapOs: 'windows',
  },
  {
    slug: 'domain-controller',
    displayName: 'Domain Controller',
    description: 'Active Directory controller: LDAP, SMB, RDP and name resolution',
    services: ['ldap', 'smb', 'rdp', 'llmnr'],
    preferredDistros: ['debian', 'ubuntu22'],
    nmapOs: 'windows',
  },
  {
    slug: 'linux-server',
    displayName: 'Linux Server',
    description: 'General-purpose Linux host with SSH and a web server',
    services: ['ssh', 'http'],
    preferredDistros: ['debian', 'ubuntu22', 'rocky9', 'fedora'],
    nmapOs: 'linux',
  },
  {
    slug: 'web-server',
    displayName: 'Web Server',
    description: 'Public-facing web host with FTP uploads',
    services: ['http', 'ftp'],
    preferredDistros: ['debian', 'ubuntu22', 'ubuntu20'],
    nmapOs: 'linux',
  },
  {
    slug: 'database-server',
    displayName: 'Database Server',
    description: 'Back-end host running MySQL, PostgreSQL and Redis',
    services: ['mysql', 'postgres', 'redis'],
    preferredDistros: ['debian', 'ubuntu22'],
    nmapOs: 'linux',
  },
  {
    slug: 'mail-server',
    displayName: 'Mail Server',
    description: 'Mail host speaking SMTP, POP3 and IMAP',
    services: ['smtp', 'pop3', 'imap'],
    preferredDistros: ['debian', 'ubuntu22'],
    nmapOs: 'linux',
  },
  {
    slug: 'file-server',
    displayName: 'File Server',
    description: 'Storage host with SMB shares, FTP and SSH',
    services: ['smb', 'ftp', 'ssh'],
    preferredDistros: ['debian', 'ubuntu22', 'rocky9'],
    nmapOs: 'linux',
  },
  {
    slug: 'printer',
    displayName: 'Network Printer',
    description: 'Office printer with SNMP management and FTP scan drop',
    services: ['snmp', 'ftp'],
    preferredDistros: ['alpine', 'debian'],
    nmapOs: 'embedded',
  },
  {
    slug: 'iot-device',
    displayName: 'IoT Device',
    description: 'Small embedded device: MQTT broker, SNMP and telnet',
    services: ['mqtt', 'snmp', 'telnet'],
    preferredDistros: ['alpine'],
    nmapOs: 'embedded',
  },
  {
    slug: 'industrial-control',
    displayName: 'Industrial Control System',
    description: 'PLC-like controller speaking industrial protocols',
    services: ['conpot', 'snmp'],
    preferredDistros: ['debian'],
    nmapOs: 'embedded',
  },
  {
    slug: 'voip-server',
    displayName: 'VoIP Server',
    description: 'SIP telephony server',
    services: ['sip'],
    preferredDistros: ['debian', 'ubuntu22'],
    nmapOs: 'linux',
  },
  {
    slug: 'monitoring-node',
    displayName: 'Monitoring Node',
    description: 'Monitoring host polling SNMP, reachable over SSH',
    services: ['snmp', 'ssh'],
    preferredDistros: ['debian', 'rocky9'],
    nmapOs: 'linux',
  },
  {
    slug: 'devops-host',
    displayName: 'DevOps Host',
    description: 'Build box exposing the Docker API, Kubernetes API and SSH',
    services: ['docker_api', 'ssh', 'k8s'],
    preferredDistros: ['ubuntu22', 'debian'],
    nmapOs: 'linux',
  },
  {
    slug: 'deaddeck',
    displayName: 'Deaddeck',
    description: 'Bare machine with nothing but SSH',
    services: ['ssh'],
    preferredDistros: ['debian', 'ubuntu22'],
    nmapOs: 'linux',
  },
];

const BY_SLUG = new Map(ARCHETYPES.map((a) => [a.slug, a]));

/** The archetype with this slug, or undefined. */
export function getArchetype(slug: string): ArchetypeDef | undefined {
  return BY_SLUG.get(slug);
}
