// Recipient domains of SMTP relay attempts (the `smtp_targets` counters): from `rcpt_to` and
// `rcpt_denied` (`value`) and `message_accepted` (the comma list in `rcpt_to`). Pure.

/** Event types whose `value` is one recipient. */
const SINGLE_RECIPIENT_EVENTS: ReadonlySet<string> = new Set(['rcpt_to', 'rcpt_denied']);

/** Top-level domains that never name a real target (upstream's list). */
export const IGNORED_TLDS: ReadonlySet<string> = new Set(['invalid', 'test', 'localhost', 'local', 'example']);

/** Longest domain name (RFC 1035). */
const MAX_DOMAIN = 253;
/** Recipients examined per event; a longer list is cut. */
const MAX_RECIPIENTS = 100;

/** The lower-cased domain of one address (`<a@b.c>`, `a@b.c`), or null when there is none worth keeping. */
export function domainOf(address: string): string | null {
  const at = address.lastIndexOf('@');
  if (at < 0) return null;
  const domain = address
    .slice(at + 1)
    .replace(/[>\s]+$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (domain.length === 0 || domain.length > MAX_DOMAIN || !/^[a-z0-9.-]+$/.test(domain)) return null;
  const tld = domain.slice(domain.lastIndexOf('.') + 1);
  if (tld.length === 0 || IGNORED_TLDS.has(tld)) return null;
  return domain;
}

/** Recipient domains an event names (deduplicated). */
export function smtpDomainsOf(eventType: string, fields: Readonly<Record<string, unknown>>): string[] {
  let recipients: string[];
  if (SINGLE_RECIPIENT_EVENTS.has(eventType)) {
    recipients = typeof fields.value === 'string' ? [fields.value] : [];
  } else if (eventType === 'message_accepted') {
    recipients = typeof fields.rcpt_to === 'string' ? fields.rcpt_to.split(',').slice(0, MAX_RECIPIENTS) : [];
  } else {
    return [];
  }
  const out: string[] = [];
  for (const r of recipients) {
    const d = domainOf(r);
    if (d !== null && !out.includes(d)) out.push(d);
  }
  return out;
}
