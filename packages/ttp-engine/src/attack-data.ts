// CURATED ATT&CK DATA — NOT THE OFFICIAL MITRE BUNDLE. A hand-made extract of MITRE ATT&CK
// Enterprise v15.1: the 14 Enterprise tactics and every technique and sub-technique the rules
// (upstream's and decnet's own pack) and lifters can emit (ids, names, tactic short names). Check it with
// `decnet ttp attack verify enterprise-attack-15.1.json`; DECNET_ATTACK_BUNDLE replaces it at run time.
//
// ATT&CK® is a registered trademark of The MITRE Corporation; ATT&CK content © The MITRE
// Corporation, used under the ATT&CK Terms of Use (royalty-free licence with attribution).

/** One Enterprise tactic. */
export interface AttackTacticRecord {
  /** `TA0006` */
  readonly id: string;
  /** `credential-access` (the kill-chain phase name) */
  readonly shortName: string;
  /** `Credential Access` */
  readonly name: string;
}

/** One technique or sub-technique. */
export interface AttackTechniqueRecord {
  /** `T1110` or `T1110.001` */
  readonly id: string;
  /** The object's own name (`Password Guessing` for T1110.001, not prefixed by its parent). */
  readonly name: string;
  /** Tactic short names, as the object's kill-chain phases. */
  readonly tactics: readonly string[];
  /** MITRE's STIX id (`attack-pattern--…`), known only when loaded from an official bundle. */
  readonly stixId?: string;
}

/** An ATT&CK extract: what the engine needs, and which release it follows. */
export interface AttackData {
  readonly domain: 'enterprise-attack';
  /** Release label written on every tag (`ttp_tag.attack_release`), e.g. `v15.1`. */
  readonly release: string;
  /** True for this hand-made file; false when read from an official bundle. */
  readonly curated: boolean;
  /** Where the data came from (`curated` or the bundle path). */
  readonly origin: string;
  readonly tactics: readonly AttackTacticRecord[];
  readonly techniques: readonly AttackTechniqueRecord[];
}

const CA = 'credential-access';
const DI = 'discovery';
const C2 = 'command-and-control';
const DE = 'defense-evasion';
const PE = 'privilege-escalation';
const PER = 'persistence';
const EX = 'execution';
const IA = 'initial-access';
const CO = 'collection';
const RD = 'resource-development';

/** The curated extract (ATT&CK Enterprise v15.1). */
export const CURATED_ATTACK_DATA: AttackData = {
  domain: 'enterprise-attack',
  release: 'v15.1',
  curated: true,
  origin: 'curated',
  tactics: [
    { id: 'TA0043', shortName: 'reconnaissance', name: 'Reconnaissance' },
    { id: 'TA0042', shortName: 'resource-development', name: 'Resource Development' },
    { id: 'TA0001', shortName: 'initial-access', name: 'Initial Access' },
    { id: 'TA0002', shortName: 'execution', name: 'Execution' },
    { id: 'TA0003', shortName: 'persistence', name: 'Persistence' },
    { id: 'TA0004', shortName: 'privilege-escalation', name: 'Privilege Escalation' },
    { id: 'TA0005', shortName: 'defense-evasion', name: 'Defense Evasion' },
    { id: 'TA0006', shortName: 'credential-access', name: 'Credential Access' },
    { id: 'TA0007', shortName: 'discovery', name: 'Discovery' },
    { id: 'TA0008', shortName: 'lateral-movement', name: 'Lateral Movement' },
    { id: 'TA0009', shortName: 'collection', name: 'Collection' },
    { id: 'TA0011', shortName: 'command-and-control', name: 'Command and Control' },
    { id: 'TA0010', shortName: 'exfiltration', name: 'Exfiltration' },
    { id: 'TA0040', shortName: 'impact', name: 'Impact' },
  ],
  techniques: [
    { id: 'T1003', name: 'OS Credential Dumping', tactics: [CA] },
    { id: 'T1003.008', name: '/etc/passwd and /etc/shadow', tactics: [CA] },
    { id: 'T1016', name: 'System Network Configuration Discovery', tactics: [DI] },
    { id: 'T1027', name: 'Obfuscated Files or Information', tactics: [DE] },
    { id: 'T1029', name: 'Scheduled Transfer', tactics: ['exfiltration'] },
    { id: 'T1033', name: 'System Owner/User Discovery', tactics: [DI] },
    { id: 'T1037', name: 'Boot or Logon Initialization Scripts', tactics: [PER, PE] },
    { id: 'T1037.004', name: 'RC Scripts', tactics: [PER, PE] },
    { id: 'T1036', name: 'Masquerading', tactics: [DE] },
    { id: 'T1036.005', name: 'Match Legitimate Name or Location', tactics: [DE] },
    { id: 'T1046', name: 'Network Service Discovery', tactics: [DI] },
    { id: 'T1049', name: 'System Network Connections Discovery', tactics: [DI] },
    { id: 'T1053', name: 'Scheduled Task/Job', tactics: [EX, PER, PE] },
    { id: 'T1053.003', name: 'Cron', tactics: [EX, PER, PE] },
    { id: 'T1056', name: 'Input Capture', tactics: [CO, CA] },
    { id: 'T1059', name: 'Command and Scripting Interpreter', tactics: [EX] },
    { id: 'T1059.004', name: 'Unix Shell', tactics: [EX] },
    { id: 'T1070', name: 'Indicator Removal', tactics: [DE] },
    { id: 'T1070.002', name: 'Clear Linux or Mac System Logs', tactics: [DE] },
    { id: 'T1070.003', name: 'Clear Command History', tactics: [DE] },
    { id: 'T1071', name: 'Application Layer Protocol', tactics: [C2] },
    { id: 'T1071.001', name: 'Web Protocols', tactics: [C2] },
    { id: 'T1071.003', name: 'Mail Protocols', tactics: [C2] },
    { id: 'T1078', name: 'Valid Accounts', tactics: [DE, PER, PE, IA] },
    { id: 'T1078.001', name: 'Default Accounts', tactics: [DE, PER, PE, IA] },
    { id: 'T1082', name: 'System Information Discovery', tactics: [DI] },
    { id: 'T1083', name: 'File and Directory Discovery', tactics: [DI] },
    { id: 'T1087', name: 'Account Discovery', tactics: [DI] },
    { id: 'T1087.002', name: 'Domain Account', tactics: [DI] },
    { id: 'T1090', name: 'Proxy', tactics: [C2] },
    { id: 'T1098', name: 'Account Manipulation', tactics: [PER, PE] },
    { id: 'T1098.004', name: 'SSH Authorized Keys', tactics: [PER, PE] },
    { id: 'T1105', name: 'Ingress Tool Transfer', tactics: [C2] },
    { id: 'T1110', name: 'Brute Force', tactics: [CA] },
    { id: 'T1110.001', name: 'Password Guessing', tactics: [CA] },
    { id: 'T1110.003', name: 'Password Spraying', tactics: [CA] },
    { id: 'T1110.004', name: 'Credential Stuffing', tactics: [CA] },
    { id: 'T1135', name: 'Network Share Discovery', tactics: [DI] },
    { id: 'T1136', name: 'Create Account', tactics: [PER] },
    { id: 'T1136.001', name: 'Local Account', tactics: [PER] },
    { id: 'T1190', name: 'Exploit Public-Facing Application', tactics: [IA] },
    { id: 'T1204', name: 'User Execution', tactics: [EX] },
    { id: 'T1204.002', name: 'Malicious File', tactics: [EX] },
    { id: 'T1213', name: 'Data from Information Repositories', tactics: [CO] },
    { id: 'T1482', name: 'Domain Trust Discovery', tactics: [DI] },
    { id: 'T1485', name: 'Data Destruction', tactics: ['impact'] },
    { id: 'T1486', name: 'Data Encrypted for Impact', tactics: ['impact'] },
    { id: 'T1496', name: 'Resource Hijacking', tactics: ['impact'] },
    { id: 'T1505', name: 'Server Software Component', tactics: [PER] },
    { id: 'T1505.003', name: 'Web Shell', tactics: [PER] },
    { id: 'T1543', name: 'Create or Modify System Process', tactics: [PER, PE] },
    { id: 'T1543.002', name: 'Systemd Service', tactics: [PER, PE] },
    { id: 'T1548', name: 'Abuse Elevation Control Mechanism', tactics: [PE, DE] },
    { id: 'T1548.001', name: 'Setuid and Setgid', tactics: [PE, DE] },
    { id: 'T1548.003', name: 'Sudo and Sudo Caching', tactics: [PE, DE] },
    { id: 'T1552', name: 'Unsecured Credentials', tactics: [CA] },
    { id: 'T1552.001', name: 'Credentials In Files', tactics: [CA] },
    { id: 'T1552.007', name: 'Container API', tactics: [CA] },
    { id: 'T1557', name: 'Adversary-in-the-Middle', tactics: [CA, CO] },
    { id: 'T1557.001', name: 'LLMNR/NBT-NS Poisoning and SMB Relay', tactics: [CA, CO] },
    { id: 'T1566', name: 'Phishing', tactics: [IA] },
    { id: 'T1566.001', name: 'Spearphishing Attachment', tactics: [IA] },
    { id: 'T1566.002', name: 'Spearphishing Link', tactics: [IA] },
    { id: 'T1566.003', name: 'Spearphishing via Service', tactics: [IA] },
    { id: 'T1567', name: 'Exfiltration Over Web Service', tactics: ['exfiltration'] },
    { id: 'T1586', name: 'Compromise Accounts', tactics: [RD] },
    { id: 'T1586.002', name: 'Email Accounts', tactics: [RD] },
    { id: 'T1588', name: 'Obtain Capabilities', tactics: [RD] },
    { id: 'T1588.001', name: 'Malware', tactics: [RD] },
    { id: 'T1588.002', name: 'Tool', tactics: [RD] },
    { id: 'T1595', name: 'Active Scanning', tactics: ['reconnaissance'] },
    { id: 'T1595.002', name: 'Vulnerability Scanning', tactics: ['reconnaissance'] },
    { id: 'T1602', name: 'Data from Configuration Repository', tactics: [CO] },
    { id: 'T1602.002', name: 'Network Device Configuration Dump', tactics: [CO] },
    { id: 'T1611', name: 'Escape to Host', tactics: [PE] },
  ],
};
