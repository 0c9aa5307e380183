// Behavioural lifters (R0031–R0040): beaconing, data destruction, ransom notes, exfiltration and
// mass reads by volume, credential and service-account file paths, docker host escape, LLMNR
// poisoning, TFTP router-config pulls. They read session aggregates, HTTP paths and mail bodies.
import type { CompiledPattern } from '../compiled-pattern.js';
import {
  booleanParam,
  findKeywords,
  firstStr,
  list,
  num,
  numberParam,
  patternListParam,
  str,
  stringList,
  stringListParam,
  truthy,
  type Lifter,
} from './lifter.js';

/** Payload keys holding free text a behavioural pattern may appear in. */
const TEXT_FIELDS = ['op_text', 'command_text', 'query_text', 'body_text', 'note_text'] as const;
/** Payload keys holding a requested path. */
const PATH_FIELDS = ['request_path', 'path', 'file_path', 'raw_url'] as const;

/** The texts of a payload: the text fields, then each `commands[].command_text` of a session. */
function texts(payload: Readonly<Record<string, unknown>>): string[] {
  const out: string[] = [];
  for (const k of TEXT_FIELDS) {
    const v = str(payload, k);
    if (v !== undefined) out.push(v);
  }
  for (const c of list(payload, 'commands')) {
    if (c && typeof c === 'object' && typeof (c as { command_text?: unknown }).command_text === 'string') {
      out.push((c as { command_text: string }).command_text);
    }
  }
  return out;
}

function paths(payload: Readonly<Record<string, unknown>>): string[] {
  return PATH_FIELDS.map((k) => str(payload, k)).filter((v): v is string => v !== undefined);
}

/** R0031: a beacon interval of at least `min_interval_s` with jitter at most `max_jitter_pct`. */
export const beaconing: Lifter<{ maxJitter: number; minInterval: number }> = {
  name: 'behavioral_beaconing',
  family: 'behavioral',
  kinds: ['session', 'email', 'http_request'],
  compile: (m) => ({ maxJitter: numberParam(m, 'max_jitter_pct', 0.15), minInterval: numberParam(m, 'min_interval_s', 10) }),
  evaluate(p, payload) {
    const interval = num(payload, 'beacon_interval_s');
    const jitter = num(payload, 'beacon_jitter_pct');
    if (interval === undefined || jitter === undefined) return undefined;
    if (interval < p.minInterval || jitter < 0 || jitter > p.maxJitter) return undefined;
    return { evidence: { beacon_interval_s: interval, beacon_jitter_pct: jitter } };
  },
};

/** R0032: FLUSHALL, DROP DATABASE, TRUNCATE TABLE, dropDatabase(), DELETE /_all (case-insensitive). */
export const dataDestruction: Lifter<{ patterns: readonly CompiledPattern[] }> = {
  name: 'behavioral_data_destruction',
  family: 'behavioral',
  kinds: ['session', 'email', 'http_request'],
  compile: (m) => ({ patterns: patternListParam(m, 'patterns', '(?i)') }),
  evaluate(p, payload) {
    for (const text of texts(payload)) {
      for (const pattern of p.patterns) {
        if (pattern.test(text)) {
          return { evidence: { matched_op: text.slice(0, 256), target: firstStr(payload, ['target', 'database', 'service']) } };
        }
      }
    }
    return undefined;
  },
};

/** Bitcoin (base58 P2PKH/P2SH, bech32) and Monero (standard, integrated) addresses. */
const COIN_ADDRESS = /(?<![A-Za-z0-9])(?:[13][a-km-zA-HJ-NP-Z1-9]{25,34}|bc1[ac-hj-np-z02-9]{11,71}|4[0-9AB][1-9A-HJ-NP-Za-km-z]{93}(?:[1-9A-HJ-NP-Za-km-z]{11})?)(?![A-Za-z0-9])/;

/** R0033: a BTC/XMR address together with payment language. */
export const ransomNote: Lifter<{ requireAddress: boolean; keywords: readonly string[] }> = {
  name: 'behavioral_ransom_note',
  family: 'behavioral',
  kinds: ['session', 'email', 'http_request'],
  compile: (m) => ({
    requireAddress: booleanParam(m, 'require_btc_or_xmr', true),
    keywords: stringListParam(m, 'payment_keywords', ['bitcoin', 'btc', 'monero', 'ransom', 'decrypt']),
  }),
  evaluate(p, payload) {
    for (const text of texts(payload)) {
      const sample = text.slice(0, 65_536);
      const address = COIN_ADDRESS.exec(sample)?.[0];
      if (p.requireAddress && address === undefined) continue;
      const keywords = findKeywords(sample, p.keywords);
      if (keywords.length === 0) continue;
      return { evidence: { btc_address: address, matched_keywords: keywords } };
    }
    return undefined;
  },
};

/** R0034: at least `min_payload_bytes` out, or at least `request_threshold` requests. */
export const exfilOverWeb: Lifter<{ minBytes: number; requests: number }> = {
  name: 'behavioral_exfil_over_web',
  family: 'behavioral',
  kinds: ['session', 'email', 'http_request'],
  compile: (m) => ({ minBytes: numberParam(m, 'min_payload_bytes', 1_048_576, 1), requests: numberParam(m, 'request_threshold', 50, 1) }),
  evaluate(p, payload) {
    const bytes = num(payload, 'bytes_out');
    const requests = num(payload, 'request_count');
    if (!((bytes !== undefined && bytes >= p.minBytes) || (requests !== undefined && requests >= p.requests))) return undefined;
    return { evidence: { bytes_out: bytes, request_count: requests, target_host: str(payload, 'target_host') } };
  },
};

/** R0035: at least `min_rows` rows or `min_bytes` bytes read from a database honeypot. */
export const dbMassRead: Lifter<{ minRows: number; minBytes: number }> = {
  name: 'behavioral_db_mass_read',
  family: 'behavioral',
  kinds: ['session', 'email', 'http_request'],
  compile: (m) => ({ minRows: numberParam(m, 'min_rows', 10_000, 1), minBytes: numberParam(m, 'min_bytes', 5_242_880, 1) }),
  evaluate(p, payload) {
    const rows = num(payload, 'rows_read');
    const bytes = num(payload, 'bytes_read');
    if (!((rows !== undefined && rows >= p.minRows) || (bytes !== undefined && bytes >= p.minBytes))) return undefined;
    return { evidence: { service: str(payload, 'service'), rows_read: rows, bytes_read: bytes } };
  },
};

function pathLifter(name: string): Lifter<{ patterns: readonly CompiledPattern[] }> {
  return {
    name,
    family: 'behavioral',
    kinds: ['session', 'email', 'http_request'],
    compile: (m) => ({ patterns: patternListParam(m, 'paths') }),
    evaluate(p, payload) {
      for (const path of paths(payload)) {
        if (p.patterns.some((pattern) => pattern.test(path))) {
          const namespace = /\/namespaces\/([^/?#]+)\//.exec(path)?.[1];
          return { evidence: { matched_path: path.slice(0, 512), namespace } };
        }
      }
      return undefined;
    },
  };
}

/** R0036: `.env`, `.git/config`, cloud credentials, SSH keys, `wp-config.php` requested. */
export const credentialsInFiles = pathLifter('behavioral_credentials_in_files');
/** R0037: Kubernetes secrets API or service-account token paths requested. */
export const k8sServiceAccountToken = pathLifter('behavioral_k8s_sa_token');

/** R0038: a privileged container or a bind mount of `/`, `/etc` or the docker socket. */
export const dockerEscape: Lifter<{ signals: readonly string[] }> = {
  name: 'behavioral_docker_escape',
  family: 'behavioral',
  kinds: ['session', 'email', 'http_request'],
  compile: (m) => ({ signals: stringListParam(m, 'signals', ['privileged:true', 'bind:/:/', 'bind:/etc', 'bind:/var/run/docker.sock']) }),
  evaluate(p, payload) {
    for (const signal of stringList(payload, 'signals')) {
      // `bind:/etc` matches `bind:/etc` and `bind:/etc:/host` or `bind:/etc/ssl`, not `bind:/etcetera`.
      const hit = p.signals.some((s) => signal === s || (signal.startsWith(s) && (s.endsWith('/') || /^[:/]/.test(signal.slice(s.length)))));
      if (hit) return { evidence: { matched_signal: signal, container_image: str(payload, 'container_image') } };
    }
    return undefined;
  },
};

/** R0039: the sniffer saw a poisoned LLMNR/NBT-NS answer. */
export const llmnrPoisoning: Lifter<Record<string, never>> = {
  name: 'behavioral_llmnr_poisoning',
  family: 'behavioral',
  kinds: ['session', 'email', 'http_request'],
  compile: () => ({}),
  evaluate(_p, payload) {
    if (!truthy(payload, 'llmnr_poisoned')) return undefined;
    return { evidence: { poisoned_query: str(payload, 'poisoned_query'), victim_host: str(payload, 'victim_host') } };
  },
};

/** R0040: a TFTP read request for a router-configuration file name. */
export const tftpRouterConfig: Lifter<{ patterns: readonly CompiledPattern[] }> = {
  name: 'behavioral_tftp_router_config',
  family: 'behavioral',
  kinds: ['session', 'email', 'http_request'],
  compile: (m) => ({ patterns: patternListParam(m, 'filename_patterns') }),
  evaluate(p, payload) {
    const name = str(payload, 'tftp_filename');
    if (name === undefined || !p.patterns.some((pattern) => pattern.test(name))) return undefined;
    return { evidence: { tftp_filename: name, source_host: str(payload, 'source_host') } };
  },
};
