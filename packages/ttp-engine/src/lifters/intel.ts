// Threat-intel lifters (R0054–R0058): provider signals mapped to ATT&CK techniques, the only
// place confidence is scaled (conf = clip(base × multiplier)). A lifter fires only the emits of
// its rule whose technique the signal selects, so a rule's YAML bounds what it may claim.
import { list, num, str, stringList, truthy, type Lifter, type LifterEmit, type LifterHit } from './lifter.js';

/** Emits (by index) whose technique is in `techniques`, each with `multiplier`. */
function select(emitTechniques: readonly string[], techniques: ReadonlyMap<string, number>): LifterEmit[] {
  const out: LifterEmit[] = [];
  emitTechniques.forEach((technique, index) => {
    const multiplier = techniques.get(technique);
    if (multiplier !== undefined) out.push({ index, multiplier });
  });
  return out;
}

function hit(emits: LifterEmit[], evidence: Record<string, unknown>): LifterHit | undefined {
  return emits.length === 0 ? undefined : { emits, evidence };
}

/** AbuseIPDB report categories → techniques (category 11 adds T1566 at a score of 80 or more). */
export const ABUSEIPDB_CATEGORY_TECHNIQUES: Readonly<Record<number, readonly string[]>> = {
  5: ['T1110'],
  18: ['T1110'],
  22: ['T1110'],
  7: ['T1566'],
  17: ['T1566'],
  9: ['T1090'],
  13: ['T1090'],
  11: ['T1496'],
  14: ['T1046', 'T1595'],
  15: ['T1190'],
  16: ['T1190'],
  21: ['T1190'],
  23: ['T1190'],
  19: ['T1595'],
  20: ['T1078'],
};
/** Category 11 (email spam) also means phishing at or above this confidence score. */
const ABUSEIPDB_SPAM_PHISHING_SCORE = 80;

/** R0054: AbuseIPDB categories, scaled by the abuse confidence score / 100. */
export const abuseIpdb: Lifter<Record<string, never>> = {
  name: 'intel_abuseipdb',
  family: 'intel',
  kinds: ['intel'],
  compile: () => ({}),
  evaluate(_p, payload, emitTechniques) {
    const score = num(payload, 'abuseipdb_score');
    if (score === undefined || score <= 0) return undefined;
    const categories = list(payload, 'abuseipdb_categories')
      .map((c) => (typeof c === 'number' ? c : typeof c === 'string' ? Number(c) : Number.NaN))
      .filter((c) => Number.isInteger(c));
    const multiplier = Math.min(score, 100) / 100;
    const techniques = new Map<string, number>();
    for (const c of categories) {
      for (const t of ABUSEIPDB_CATEGORY_TECHNIQUES[c] ?? []) techniques.set(t, multiplier);
      if (c === 11 && score >= ABUSEIPDB_SPAM_PHISHING_SCORE) techniques.set('T1566', multiplier);
    }
    return hit(select(emitTechniques, techniques), { abuseipdb_categories: categories, abuseipdb_score: score });
  },
};

/** GreyNoise tags (normalised to snake_case) → techniques. */
export const GREYNOISE_TAG_TECHNIQUES: Readonly<Record<string, readonly string[]>> = {
  tor_exit_node: ['T1090'],
  ssh_bruteforcer: ['T1110'],
  web_crawler: ['T1595'],
  cobalt_strike: ['T1071', 'T1588'],
  metasploit: ['T1071', 'T1588'],
  sliver: ['T1071', 'T1588'],
  havoc: ['T1071', 'T1588'],
};
/** A bare "malicious" verdict (no recognised tag) lights T1071 at half strength. */
const GREYNOISE_BARE_MALICIOUS_MULTIPLIER = 0.5;

const snake = (s: string): string => s.trim().toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '');

/** R0055: GreyNoise classification and tags. A benign classification never fires. */
export const greyNoise: Lifter<Record<string, never>> = {
  name: 'intel_greynoise',
  family: 'intel',
  kinds: ['intel'],
  compile: () => ({}),
  evaluate(_p, payload, emitTechniques) {
    const classification = str(payload, 'greynoise_classification')?.toLowerCase();
    if (classification === undefined || classification === 'benign') return undefined;
    const tags = stringList(payload, 'greynoise_tags').map(snake);
    const techniques = new Map<string, number>();
    if (classification === 'scanner' || tags.includes('scanner')) techniques.set('T1595', 1);
    for (const tag of tags) for (const t of GREYNOISE_TAG_TECHNIQUES[tag] ?? []) techniques.set(t, 1);
    if (techniques.size === 0 && classification === 'malicious') techniques.set('T1071', GREYNOISE_BARE_MALICIOUS_MULTIPLIER);
    return hit(select(emitTechniques, techniques), {
      greynoise_classification: classification,
      greynoise_tags: tags,
      greynoise_name: str(payload, 'greynoise_name'),
    });
  },
};

/** R0056: listed by abuse.ch Feodo Tracker (known botnet C2). */
export const feodo: Lifter<Record<string, never>> = {
  name: 'intel_feodo',
  family: 'intel',
  kinds: ['intel'],
  compile: () => ({}),
  evaluate(_p, payload) {
    if (!truthy(payload, 'feodo_listed')) return undefined;
    return {
      evidence: {
        feodo_listed: true,
        feodo_malware_family: str(payload, 'feodo_malware_family') ?? str(payload, 'malware_family'),
        first_seen_feodo: str(payload, 'first_seen_feodo'),
      },
    };
  },
};

/** ThreatFox threat types → techniques. */
export const THREATFOX_THREAT_TECHNIQUES: Readonly<Record<string, readonly string[]>> = {
  botnet_cc: ['T1071', 'T1588'],
  payload_delivery: ['T1105', 'T1588'],
  payload: ['T1588'],
  cc_skimming: ['T1056'],
};

/**
 * R0057: ThreatFox threat types (`threatfox_threat_types`, or `threat_type`). v1 producers put the
 * threat type in `ioc_type`; such a value is accepted only when it is a threat type, never an
 * indicator format (`ip:port`, `url`, ...), so it cannot be misread.
 */
export const threatFox: Lifter<Record<string, never>> = {
  name: 'intel_threatfox',
  family: 'intel',
  kinds: ['intel'],
  compile: () => ({}),
  evaluate(_p, payload, emitTechniques) {
    const types = new Set([...stringList(payload, 'threatfox_threat_types'), ...stringList(payload, 'threat_type')].map(snake));
    for (const legacy of stringList(payload, 'ioc_type').map(snake)) if (legacy in THREATFOX_THREAT_TECHNIQUES) types.add(legacy);
    const techniques = new Map<string, number>();
    for (const type of types) for (const t of THREATFOX_THREAT_TECHNIQUES[type] ?? []) techniques.set(t, 1);
    const families = [...stringList(payload, 'threatfox_malware_families'), ...stringList(payload, 'malware_family')];
    return hit(select(emitTechniques, techniques), {
      threatfox_threat_types: [...types].sort(),
      threatfox_ioc_types: stringList(payload, 'threatfox_ioc_types'),
      threatfox_malware_families: [...new Set(families)],
    });
  },
};

/** R0058: the aggregate "malicious" verdict only bumps existing tags upstream; it never tags. */
export const aggregateBump: Lifter<Record<string, never>> = {
  name: 'intel_aggregate_bump',
  family: 'intel',
  kinds: ['intel'],
  compile: () => ({}),
  evaluate: () => undefined,
};
