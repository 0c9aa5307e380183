// E-mail lifters (R0041–R0048) over `email.received` projections: open relay, mass phishing,
// phishing-kit mailers, punycode URLs, sender masquerade, malicious attachments, BEC language,
// encoded bodies. Only explicit failure signals count: a missing SPF/DKIM verdict is not a failure.
import { domainToUnicode } from 'node:url';
import {
  booleanParam,
  domainOf,
  findKeywords,
  firstStr,
  num,
  numberParam,
  str,
  stringList,
  stringListParam,
  truthy,
  type Lifter,
} from './lifter.js';

function fromDomain(payload: Readonly<Record<string, unknown>>): string | undefined {
  return domainOf(firstStr(payload, ['from_domain', 'from_hdr']));
}

/** R0041: many recipients and a From domain that differs from the envelope MAIL FROM. */
export const openRelay: Lifter<{ rcptThreshold: number; requireForeignFrom: boolean }> = {
  name: 'email_open_relay',
  family: 'email',
  kinds: ['email'],
  compile: (m) => ({ rcptThreshold: numberParam(m, 'rcpt_threshold', 10, 1), requireForeignFrom: booleanParam(m, 'require_foreign_from', true) }),
  evaluate(p, payload) {
    const rcpt = num(payload, 'rcpt_count');
    if (rcpt === undefined || rcpt < p.rcptThreshold) return undefined;
    const from = fromDomain(payload);
    const mailFrom = domainOf(str(payload, 'mail_from_domain'));
    if (p.requireForeignFrom && (from === undefined || mailFrom === undefined || from === mailFrom)) return undefined;
    return { evidence: { rcpt_count: rcpt, from_domain: from, mail_from_domain: mailFrom } };
  },
};

/** R0042: many recipients and a body simhash (the same body sent in bulk). */
export const massPhish: Lifter<{ rcptThreshold: number }> = {
  name: 'email_mass_phish',
  family: 'email',
  kinds: ['email'],
  compile: (m) => ({ rcptThreshold: numberParam(m, 'rcpt_threshold', 25, 1) }),
  evaluate(p, payload) {
    const rcpt = num(payload, 'rcpt_count');
    const simhash = str(payload, 'body_simhash');
    if (rcpt === undefined || rcpt < p.rcptThreshold || simhash === undefined) return undefined;
    return { evidence: { rcpt_count: rcpt, body_simhash: simhash } };
  },
};

/** R0043: the X-Mailer matched a phishing-kit signature (the match is made by the producer). */
export const xmailerKit: Lifter<Record<string, never>> = {
  name: 'email_xmailer_kit',
  family: 'email',
  kinds: ['email'],
  compile: () => ({}),
  evaluate(_p, payload) {
    const kit = str(payload, 'matched_kit');
    if (kit === undefined) return undefined;
    return { evidence: { x_mailer: str(payload, 'x_mailer'), matched_kit: kit } };
  },
};

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** R0044: a URL whose host has a punycode (`xn--`) label. */
export const idnUrl: Lifter<{ prefix: string }> = {
  name: 'email_idn_url',
  family: 'email',
  kinds: ['email'],
  compile: (m) => ({ prefix: (str(m, 'punycode_prefix') ?? 'xn--').toLowerCase() }),
  evaluate(p, payload) {
    const candidates: [string, string][] = [];
    for (const url of stringList(payload, 'urls')) {
      const host = hostOf(url);
      if (host !== undefined) candidates.push([url, host]);
    }
    for (const domain of stringList(payload, 'url_domains')) candidates.push([domain, domain.toLowerCase()]);
    for (const [matched, host] of candidates) {
      if (host.split('.').some((label) => label.startsWith(p.prefix))) {
        return { evidence: { matched_url: matched.slice(0, 512), decoded_idn: domainToUnicode(host) || undefined } };
      }
    }
    return undefined;
  },
};

/** R0045: From vs Return-Path or MAIL FROM mismatch, or an explicit DKIM/SPF failure. */
export const senderMasquerade: Lifter<{ signals: ReadonlySet<string> }> = {
  name: 'email_sender_masquerade',
  family: 'email',
  kinds: ['email'],
  compile: (m) => ({ signals: new Set(stringListParam(m, 'signals', ['from_returnpath_mismatch', 'from_mailfrom_mismatch', 'dkim_fail', 'spf_fail'])) }),
  evaluate(p, payload) {
    const from = fromDomain(payload);
    const returnPath = domainOf(firstStr(payload, ['return_path_domain', 'return_path']));
    const mailFrom = domainOf(str(payload, 'mail_from_domain'));
    const auth = str(payload, 'auth_results') ?? '';
    const fired: string[] = [];
    if (from !== undefined && returnPath !== undefined && from !== returnPath) fired.push('from_returnpath_mismatch');
    if (from !== undefined && mailFrom !== undefined && from !== mailFrom) fired.push('from_mailfrom_mismatch');
    if (str(payload, 'dkim_result')?.toLowerCase() === 'fail' || /\bdkim=fail\b/i.test(auth)) fired.push('dkim_fail');
    if (['fail', 'softfail'].includes(str(payload, 'spf_result')?.toLowerCase() ?? '') || /\bspf=(?:fail|softfail)\b/i.test(auth)) fired.push('spf_fail');
    const signals = fired.filter((s) => p.signals.has(s));
    if (signals.length === 0) return undefined;
    return {
      evidence: { from_domain: from, return_path_domain: returnPath, mail_from_domain: mailFrom, auth_results: auth || undefined, signals },
    };
  },
};

/** Attachment extensions that stand for their trigger name. */
const EXTENSION_TRIGGERS = ['lnk', 'iso', 'img'] as const;

/** R0046: macro documents, .lnk/.iso/.img, protected archives, HTML smuggling, known-bad hashes. */
export const maliciousAttachment: Lifter<{ triggers: ReadonlySet<string> }> = {
  name: 'email_malicious_attachment',
  family: 'email',
  kinds: ['email'],
  compile: (m) => ({
    triggers: new Set(
      stringListParam(m, 'triggers', ['office_macro', 'lnk', 'iso', 'img', 'protected_archive', 'html_smuggling', 'mal_hash_match']),
    ),
  }),
  evaluate(p, payload) {
    const fired: string[] = [];
    if (truthy(payload, 'attachment_macros') || truthy(payload, 'office_macro')) fired.push('office_macro');
    const names = stringList(payload, 'attachment_filenames');
    const extensions = new Set([
      ...stringList(payload, 'attachment_extensions').map((e) => e.toLowerCase().replace(/^\./, '')),
      ...names.map((n) => n.slice(n.lastIndexOf('.') + 1).toLowerCase()),
    ]);
    for (const ext of EXTENSION_TRIGGERS) if (extensions.has(ext)) fired.push(ext);
    if (truthy(payload, 'attachment_protected_archive') || truthy(payload, 'protected_archive')) fired.push('protected_archive');
    if (truthy(payload, 'html_smuggling')) fired.push('html_smuggling');
    if (truthy(payload, 'mal_hash_match')) fired.push('mal_hash_match');
    const trigger = fired.find((t) => p.triggers.has(t));
    if (trigger === undefined) return undefined;
    return {
      evidence: {
        filename: names[0],
        mime_type: stringList(payload, 'attachment_mime_types')[0],
        matched_trigger: trigger,
        file_hash: stringList(payload, 'attachment_sha256s')[0],
      },
    };
  },
};

/** R0047: urgency/payment words in the subject and a request for action in the body. */
export const bec: Lifter<{ subjectKeywords: readonly string[]; bodyKeywords: readonly string[] }> = {
  name: 'email_bec',
  family: 'email',
  kinds: ['email'],
  compile: (m) => ({
    subjectKeywords: stringListParam(m, 'subject_keywords', ['urgent', 'wire', 'invoice', 'payroll', 'gift card']),
    bodyKeywords: stringListParam(m, 'body_action_keywords', ['send', 'transfer', 'update banking', 'confidential']),
  }),
  evaluate(p, payload) {
    const subject = str(payload, 'subject');
    const body = str(payload, 'body_text');
    if (subject === undefined || body === undefined) return undefined;
    const subjectHits = findKeywords(subject, p.subjectKeywords);
    if (subjectHits.length === 0) return undefined;
    const bodyHits = findKeywords(body.slice(0, 65_536), p.bodyKeywords);
    if (bodyHits.length === 0) return undefined;
    return { evidence: { subject: subject.slice(0, 256), matched_subject_kw: subjectHits, matched_body_kw: bodyHits } };
  },
};

/** Base64 runs long enough to matter (at least 64 characters). */
const BASE64_RUN = /[A-Za-z0-9+/]{64,}={0,2}/g;

/** R0048: a base64 blob of at least `min_bytes` decoded bytes in the body. */
export const encodedPayload: Lifter<{ minBytes: number }> = {
  name: 'email_encoded_payload',
  family: 'email',
  kinds: ['email'],
  compile: (m) => ({ minBytes: numberParam(m, 'min_bytes', 4096, 1) }),
  evaluate(p, payload) {
    let bytes = num(payload, 'body_base64_bytes');
    if (bytes === undefined) {
      const body = str(payload, 'body_text');
      if (body !== undefined) {
        for (const run of body.slice(0, 1_048_576).match(BASE64_RUN) ?? []) bytes = Math.max(bytes ?? 0, Math.floor((run.replace(/=+$/, '').length * 3) / 4));
      }
    }
    if (bytes === undefined || bytes < p.minBytes) return undefined;
    return { evidence: { encoded_bytes: bytes } };
  },
};
