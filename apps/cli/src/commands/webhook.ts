// `decnet webhook add|list|remove|test|enable|disable`: manage webhook subscriptions in the
// database. A change is announced on `system.webhook.subscriptions_changed` when the Kafka bus
// is configured; otherwise the worker picks it up at its next periodic reload.
import { EVENTS, createLogger, silentLogger, type DecnetConfig } from '@decnet/core';
import { loadConfigOrExit, openBusTransport } from '@decnet/host';
import { UsageError, parseCommandArgs, renderJson, renderTable, type CommandIO } from '../io.js';
import type * as WebhookModule from '@decnet/worker-webhook';
import { printable } from './logs.js';

/** How long to try to reach the bus to announce a change. */
const ANNOUNCE_TIMEOUT_MS = 10_000;
/** Width of the URL column in the table. */
const URL_WIDTH = 48;

const SUBCOMMANDS = ['add', 'list', 'remove', 'test', 'enable', 'disable'] as const;

export function help(): string {
  return [
    'Usage: decnet webhook <command> [options]',
    '',
    '  add <name> <url> (--pattern P ... | --preset NAME ...) [--secret S] [--format json|slack|discord]',
    '        Subscribe <url> to bus subjects matching the patterns (`*` = one token, `>` = the rest).',
    '        Presets: AttackerDetail (attacker.>), DeckyStatus (decky.*.state, decky.*.traffic),',
    '        SystemStatus (system.>). Without --secret one is generated and printed ONCE.',
    '        --format picks the request body: json (signed envelope), slack or discord. Without it,',
    '        Slack and Discord webhook URLs get theirs and anything else json.',
    '  list [--json]            every subscription (never its secret)',
    '  remove <name|uuid>       delete a subscription',
    '  test <name|uuid> [--json] send one signed test event (topic test.ping), one attempt',
    '  enable|disable <name|uuid>  turn a subscription on or off (enable clears a tripped breaker)',
    '',
    'Requests are signed: X-Decnet-Signature: sha256=HMAC(secret, "<X-Decnet-Timestamp>.<body>");',
    'receivers should reject stale timestamps and deduplicate on X-Decnet-Event-Id.',
    'URLs resolving to private, loopback, link-local or metadata addresses are refused unless',
    'DECNET_WEBHOOK_ALLOW_CIDRS lists them (e.g. 127.0.0.1/32).',
    '',
    'Reads DATABASE_URL, or the embedded Postgres under DECNET_HOME (the one "decnet up" runs).',
    '',
  ].join('\n');
}

type Webhook = typeof WebhookModule;

function shortUrl(href: string): string {
  let text = href;
  try {
    const u = new URL(href);
    // Slack and Discord URLs carry their token in the path: show the origin only.
    text = u.hostname === 'hooks.slack.com' || u.pathname.startsWith('/api/webhooks/') ? `${u.origin}/…` : `${u.origin}${u.pathname}`;
  } catch {
    /* shown as stored */
  }
  const safe = printable(text);
  return safe.length > URL_WIDTH ? `${safe.slice(0, URL_WIDTH - 1)}…` : safe;
}

async function announce(config: DecnetConfig, io: CommandIO, reloadNote: string): Promise<void> {
  if (config.bus !== 'kafka') {
    io.stderr(`note: ${reloadNote}\n`);
    return;
  }
  try {
    const transport = await openBusTransport(config, silentLogger, AbortSignal.timeout(ANNOUNCE_TIMEOUT_MS));
    try {
      await transport.connect('cli').publish(EVENTS.webhookSubscriptionsChanged.subject, {}, { type: 'changed' });
    } finally {
      await transport.close();
    }
  } catch (err) {
    io.stderr(`note: could not announce the change on the bus (${(err as Error).message}); ${reloadNote}\n`);
  }
}

function one(positionals: string[], verb: string, what: string): string {
  const [, ref, extra] = positionals;
  if (!ref || extra !== undefined) throw new UsageError(`expected: decnet webhook ${verb} <${what}>`, 'webhook');
  return ref;
}

export async function run(args: string[], io: CommandIO): Promise<number> {
  const { values, positionals } = parseCommandArgs('webhook', args, {
    json: { type: 'boolean', default: false },
    pattern: { type: 'string', multiple: true },
    preset: { type: 'string', multiple: true },
    secret: { type: 'string' },
    format: { type: 'string' },
  });
  const sub = positionals[0];
  if (!sub || !(SUBCOMMANDS as readonly string[]).includes(sub)) {
    throw new UsageError(`expected one of ${SUBCOMMANDS.join(', ')}`, 'webhook');
  }
  const wh: Webhook = await import('@decnet/worker-webhook');
  // Validate everything that needs no database first.
  let normalised: ReturnType<Webhook['normaliseSubscription']> | undefined;
  if (sub === 'add') {
    const [, name, url, extra] = positionals;
    if (!name || !url || extra !== undefined) throw new UsageError('expected: decnet webhook add <name> <url> --pattern P', 'webhook');
    try {
      normalised = wh.normaliseSubscription({
        name,
        url,
        ...(values.secret !== undefined ? { secret: values.secret } : {}),
        patterns: values.pattern ?? [],
        presets: values.preset ?? [],
        ...(values.format !== undefined ? { format: values.format } : {}),
      });
    } catch (err) {
      if (err instanceof wh.InvalidSubscriptionError) throw new UsageError(err.message, 'webhook');
      throw err;
    }
  }
  const config = loadConfigOrExit(io.env);
  let options: ReturnType<Webhook['compileWebhookOptions']>;
  try {
    options = wh.compileWebhookOptions(io.env);
  } catch (err) {
    io.stderr(`decnet webhook: ${(err as Error).message}\n`);
    return 2;
  }
  const reloadNote = `the webhook worker reloads subscriptions every ${Math.round(options.reloadMs / 1000)} s (DECNET_WEBHOOK_RELOAD_MS)`;

  if (normalised) {
    // Upstream refused private targets at creation time; so do we, with the worker's allow-list.
    const target = await wh.resolveTarget(normalised.url, options.allowCidrs, wh.systemLookup);
    if (!target.ok) {
      io.stderr(`decnet webhook: refused ${printable(normalised.url)}: ${target.detail} (allow it with DECNET_WEBHOOK_ALLOW_CIDRS)\n`);
      return 1;
    }
  }

  const log = createLogger({ level: io.env['DECNET_LOG_LEVEL'] ? config.logLevel : 'warn', name: 'webhook' });
  const { isMissingTableError, openDatabase } = await import('@decnet/db');
  const database = await openDatabase(config, log, { retry: false, poolMax: 1 });
  try {
    switch (sub) {
      case 'add': {
        const n = normalised as NonNullable<typeof normalised>;
        let row;
        try {
          row = await wh.insertSubscription(database.pool, n);
        } catch (err) {
          if (err instanceof wh.DuplicateSubscriptionError) {
            io.stderr(`decnet webhook: ${err.message}\n`);
            return 1;
          }
          throw err;
        }
        if (n.warnings.includes('insecure_url')) io.stderr('warning: plain http: events and signatures travel unencrypted\n');
        if (values.json) {
          io.stdout(renderJson({ uuid: row.uuid, name: row.name, url: row.url, format: row.format, patterns: row.topicPatterns, ...(n.secretGenerated ? { secret: n.secret } : {}) }));
        } else {
          io.stdout(`added webhook ${row.name} (${row.uuid}) for ${row.topicPatterns.join(', ')}; format ${row.format}\n`);
          if (n.secretGenerated) io.stdout(`secret (shown once, store it now): ${n.secret}\n`);
        }
        await announce(config, io, reloadNote);
        return 0;
      }
      case 'list': {
        const rows = await wh.listSubscriptions(database.pool);
        if (values.json) {
          io.stdout(
            renderJson(
              // Listed field by field: the secret is never printed after `add`.
              rows.map((r) => ({
                uuid: r.uuid,
                name: r.name,
                url: r.url,
                format: r.format,
                topicPatterns: r.topicPatterns,
                enabled: r.enabled,
                consecutiveFailures: r.consecutiveFailures,
                lastError: r.lastError,
                lastSuccessAt: r.lastSuccessAt?.toISOString() ?? null,
                lastFailureAt: r.lastFailureAt?.toISOString() ?? null,
                autoDisabledAt: r.autoDisabledAt?.toISOString() ?? null,
                createdAt: r.createdAt.toISOString(),
                updatedAt: r.updatedAt.toISOString(),
              })),
            ),
          );
          return 0;
        }
        if (rows.length === 0) {
          io.stderr('no webhook subscriptions (add one with "decnet webhook add")\n');
          return 0;
        }
        io.stdout(
          renderTable(
            ['name', 'state', 'format', 'patterns', 'failures', 'last success (utc)', 'url', 'last error'],
            rows.map((r) => [
              printable(r.name),
              r.enabled ? 'enabled' : r.autoDisabledAt ? 'tripped' : 'disabled',
              r.format,
              printable(r.topicPatterns.join(',')),
              r.consecutiveFailures,
              r.lastSuccessAt ? r.lastSuccessAt.toISOString().slice(0, 19).replace('T', ' ') : '-',
              shortUrl(r.url),
              r.lastError ? printable(r.lastError).slice(0, 60) : '-',
            ]),
          ),
        );
        return 0;
      }
      case 'remove': {
        const ref = one(positionals, 'remove', 'name|uuid');
        if (!(await wh.deleteSubscription(database.pool, ref))) {
          io.stderr(`decnet webhook: no subscription named ${JSON.stringify(ref)}\n`);
          return 1;
        }
        io.stdout(`removed webhook ${printable(ref)}\n`);
        await announce(config, io, reloadNote);
        return 0;
      }
      case 'enable':
      case 'disable': {
        const ref = one(positionals, sub, 'name|uuid');
        const row = await wh.setSubscriptionEnabled(database.pool, ref, sub === 'enable');
        if (!row) {
          io.stderr(`decnet webhook: no subscription named ${JSON.stringify(ref)}\n`);
          return 1;
        }
        io.stdout(`${sub}d webhook ${printable(row.name)}\n`);
        await announce(config, io, reloadNote);
        return 0;
      }
      case 'test': {
        const ref = one(positionals, 'test', 'name|uuid');
        const row = await wh.findSubscription(database.pool, ref);
        if (!row) {
          io.stderr(`decnet webhook: no subscription named ${JSON.stringify(ref)}\n`);
          return 1;
        }
        const id = crypto.randomUUID();
        const result = await wh.deliver(
          row,
          { id, topic: 'test.ping', type: 'test', ts: Date.now() / 1000, payload: { message: 'decnet webhook test', subscription: row.name } },
          { timeoutMs: options.timeoutMs, retryScheduleMs: [], allow: options.allowCidrs, lookup: wh.systemLookup },
        );
        if (values.json) io.stdout(renderJson({ subscription: row.name, eventId: id, ...result }));
        else if (result.ok) io.stdout(`delivered test event ${id} to ${printable(row.name)}: HTTP ${result.status}\n`);
        else io.stdout(`test event to ${printable(row.name)} failed: ${printable(result.error ?? 'unknown error')}\n`);
        return result.ok ? 0 : 1;
      }
    }
  } catch (err) {
    if (isMissingTableError(err)) {
      io.stderr(`decnet webhook: the database at ${database.url} has no webhook_subscriptions table yet; run "decnet db migrate"\n`);
      return 1;
    }
    throw err;
  } finally {
    await database.close();
  }
  return 2;
}
