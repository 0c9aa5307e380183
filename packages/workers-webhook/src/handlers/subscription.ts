// A subscription as an operator gives it (name, URL, secret, patterns, format) checked and
// normalised before it is stored: upstream's limits (name 1-64, secret 16-256), patterns
// validated, the format settled (named, else implied by the URL) for the `format` column. Pure.
import { InvalidSubscriptionError } from '../errors.js';
import { WEBHOOK_FORMATS, inferFormat, isWebhookFormat, takeFormatFragment, type WebhookFormat } from './formats.js';
import { validatePatterns } from './patterns.js';
import { generateSecret } from './signing.js';
import { checkUrl } from './target.js';

/** Name length bounds (upstream's). */
export const NAME_MIN = 1;
export const NAME_MAX = 64;
/** Secret length bounds (upstream's). */
export const SECRET_MIN = 16;
export const SECRET_MAX = 256;

/** What an operator asks for. */
export interface SubscriptionInput {
  readonly name: string;
  readonly url: string;
  /** Generated when omitted (and shown once). */
  readonly secret?: string;
  readonly patterns?: readonly string[];
  readonly presets?: readonly string[];
  /**
   * Body format, one of {@link WEBHOOK_FORMATS}. Omitted: a legacy `#format=` in the URL, else
   * slack/discord for their webhook hosts, else json.
   */
  readonly format?: string;
}

/** A subscription ready to insert. */
export interface NormalisedSubscription {
  readonly name: string;
  readonly url: string;
  readonly secret: string;
  readonly patterns: string[];
  readonly format: WebhookFormat;
  /** True when the secret was generated here (the caller must show it once). */
  readonly secretGenerated: boolean;
  /** Non-fatal remarks, e.g. `insecure_url` for plain http. */
  readonly warnings: string[];
}

/**
 * Checks and normalises a subscription.
 * @throws InvalidSubscriptionError naming the first bad field.
 */
export function normaliseSubscription(input: SubscriptionInput): NormalisedSubscription {
  const name = input.name.trim();
  // eslint-disable-next-line no-control-regex
  if (name.length < NAME_MIN || name.length > NAME_MAX || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new InvalidSubscriptionError('name', `must be ${NAME_MIN}-${NAME_MAX} printable characters`);
  }
  const checked = checkUrl(input.url.trim());
  if (!checked.ok) throw new InvalidSubscriptionError('url', checked.detail);
  // The format has its own column now: a `#format=` left in the URL (the old way) is taken out.
  const { url, format: fragment } = takeFormatFragment(checked.url);
  const format = checkFormat(input.format, fragment, url);
  const secretGenerated = input.secret === undefined;
  const secret = input.secret ?? generateSecret();
  if (secret.length < SECRET_MIN || secret.length > SECRET_MAX) {
    throw new InvalidSubscriptionError('secret', `must be ${SECRET_MIN}-${SECRET_MAX} characters`);
  }
  const patterns = validatePatterns(input.patterns ?? [], input.presets ?? []);
  if (!patterns.ok) throw new InvalidSubscriptionError('patterns', patterns.error);
  const warnings = url.protocol === 'http:' ? ['insecure_url'] : [];
  return { name, url: url.href, secret, patterns: patterns.patterns, format, secretGenerated, warnings };
}

function checkFormat(named: string | undefined, fragment: string | undefined, url: URL): WebhookFormat {
  const valid = WEBHOOK_FORMATS.join(', ');
  for (const [value, where] of [[named, ''], [fragment, ' (from the URL fragment)']] as const) {
    if (value !== undefined && !isWebhookFormat(value)) {
      throw new InvalidSubscriptionError('format', `${JSON.stringify(value)}${where} is not one of ${valid}`);
    }
  }
  if (named !== undefined && fragment !== undefined && named !== fragment) {
    throw new InvalidSubscriptionError('format', `${JSON.stringify(named)} disagrees with the URL fragment's ${JSON.stringify(fragment)}`);
  }
  return ((named ?? fragment) as WebhookFormat | undefined) ?? inferFormat(url);
}
