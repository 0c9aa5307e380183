// Request bodies: the generic signed JSON envelope (upstream's shape), and Slack and Discord
// incoming-webhook messages; a subscription's `format` column picks one. When an operator names
// no format, Slack and Discord webhook URLs are recognised by host and path. Attacker-controlled
// text is escaped so it cannot ping channels or forge links. Pure.
import { canonicalJson } from './signing.js';

/** Body formats. */
export const WEBHOOK_FORMATS = ['json', 'slack', 'discord'] as const;
export type WebhookFormat = (typeof WEBHOOK_FORMATS)[number];

/** The event a delivery carries (a bus envelope's fields). */
export interface DeliveryEvent {
  readonly id: string;
  readonly topic: string;
  readonly type: string;
  /** Epoch seconds. */
  readonly ts: number;
  readonly payload: Record<string, unknown>;
}

/** Payload fields shown in a chat message. */
const MAX_CHAT_FIELDS = 12;
/** Characters of one field value shown in a chat message. */
const MAX_CHAT_VALUE = 200;
/** Discord's limit on `content`. */
const DISCORD_MAX_CONTENT = 2000;
/** Slack's advice for `text`. */
const SLACK_MAX_TEXT = 3000;

/**
 * The fragment parameter that carried the format before the `format` column (migration 0002
 * moved stored ones). Still read from a URL given to `decnet webhook add`, then removed.
 */
const FRAGMENT_KEY = 'format';

/** True when `v` names a body format. */
export function isWebhookFormat(v: string): v is WebhookFormat {
  return (WEBHOOK_FORMATS as readonly string[]).includes(v);
}

/** The format a URL implies when none is named: Slack or Discord by their webhook hosts, else JSON. */
export function inferFormat(url: URL): WebhookFormat {
  const host = url.hostname.toLowerCase();
  if (host === 'hooks.slack.com') return 'slack';
  if (/^(?:(?:ptb|canary)\.)?discord(?:app)?\.com$/.test(host) && url.pathname.startsWith('/api/webhooks/')) return 'discord';
  return 'json';
}

/** What {@link takeFormatFragment} found. */
export interface FragmentFormat {
  /** The URL without any `format` fragment parameter (other fragment parameters stay). */
  readonly url: URL;
  /** The first `format=` value, as written (not checked); undefined when there was none. */
  readonly format: string | undefined;
}

/** Removes the legacy `#format=...` from `url`, returning it apart. */
export function takeFormatFragment(url: URL): FragmentFormat {
  const out = new URL(url.href);
  const params = new URLSearchParams(out.hash.slice(1));
  const format = params.get(FRAGMENT_KEY) ?? undefined;
  if (format === undefined) return { url: out, format };
  params.delete(FRAGMENT_KEY);
  out.hash = params.toString();
  return { url: out, format };
}

/** Epoch seconds as ISO 8601 UTC (upstream sent `ts` as an ISO string). */
export function isoTime(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  return Number.isNaN(d.getTime()) ? new Date(0).toISOString() : d.toISOString();
}

/** The generic body: `{id, payload, topic, ts, type, v:1}`, keys sorted at every depth. */
export function jsonBody(event: DeliveryEvent): string {
  return canonicalJson({ v: 1, id: event.id, topic: event.topic, type: event.type, ts: isoTime(event.ts), payload: event.payload });
}

function valueText(v: unknown): string {
  const text = typeof v === 'string' ? v : (JSON.stringify(v) ?? String(v));
  // Control characters would break the layout of a chat line.
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return flat.length > MAX_CHAT_VALUE ? `${flat.slice(0, MAX_CHAT_VALUE - 1)}…` : flat;
}

function chatLines(event: DeliveryEvent, escape: (s: string) => string): string[] {
  const entries = Object.entries(event.payload).slice(0, MAX_CHAT_FIELDS);
  const lines = entries.map(([k, v]) => `• ${escape(k)}: ${escape(valueText(v))}`);
  const more = Object.keys(event.payload).length - entries.length;
  if (more > 0) lines.push(`… ${more} more field${more === 1 ? '' : 's'}`);
  return lines;
}

/** Slack mrkdwn: `&`, `<`, `>` are the only control characters (`<!channel>`, `<url|text>`). */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Discord markdown: backslash-escape formatting characters; mentions are disabled separately. */
export function escapeDiscord(s: string): string {
  return s.replace(/[\\*_~`|>#[\]()-]/g, (c) => `\\${c}`).replace(/@/g, '@\u200b');
}

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A Slack incoming-webhook message. */
export function slackBody(event: DeliveryEvent): string {
  const text = [`*DECNET* \`${escapeSlack(event.topic)}\` at ${isoTime(event.ts)}`, ...chatLines(event, escapeSlack)].join('\n');
  return canonicalJson({ text: cut(text, SLACK_MAX_TEXT), unfurl_links: false, unfurl_media: false });
}

/** A Discord webhook message; `allowed_mentions` is empty so no text can ping anyone. */
export function discordBody(event: DeliveryEvent): string {
  const content = [`**DECNET** ${escapeDiscord(event.topic)} at ${isoTime(event.ts)}`, ...chatLines(event, escapeDiscord)].join('\n');
  return canonicalJson({ content: cut(content, DISCORD_MAX_CONTENT), allowed_mentions: { parse: [] }, username: 'DECNET' });
}

/** The body of `event` in `format`. */
export function renderBody(format: WebhookFormat, event: DeliveryEvent): string {
  switch (format) {
    case 'slack':
      return slackBody(event);
    case 'discord':
      return discordBody(event);
    case 'json':
      return jsonBody(event);
  }
}
