ALTER TABLE "attacker_behavior" ADD COLUMN "profile_state" jsonb;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD COLUMN "format" text DEFAULT 'json' NOT NULL;--> statement-breakpoint
ALTER TABLE "webhook_subscriptions" ADD CONSTRAINT "webhook_subscriptions_format_known" CHECK ("webhook_subscriptions"."format" IN ('json', 'slack', 'discord'));--> statement-breakpoint
-- Hand-added data moves (the statements above are drizzle-kit's). The profiler kept its
-- accumulator under timing_stats._state; it moves to profile_state and leaves the shown column.
UPDATE "attacker_behavior"
SET "profile_state" = NULLIF("timing_stats" -> '_state', 'null'::jsonb),
    "timing_stats" = "timing_stats" - '_state'
WHERE jsonb_typeof("timing_stats") = 'object' AND ("timing_stats" -> '_state') IS NOT NULL;--> statement-breakpoint
-- A subscription's format was the first `format=` of its URL fragment when valid, else slack for
-- hooks.slack.com, discord for Discord's /api/webhooks/ URLs, else json (the worker's rule until
-- now). Record it, and drop every `format` parameter from the fragment (other parameters stay).
UPDATE "webhook_subscriptions" AS w
SET "format" = COALESCE(
      CASE WHEN p.first_format IN ('json', 'slack', 'discord') THEN p.first_format END,
      CASE
        WHEN p.host = 'hooks.slack.com' THEN 'slack'
        WHEN p.host ~ '^((ptb|canary)\.)?discord(app)?\.com$' AND left(p.path, 14) = '/api/webhooks/' THEN 'discord'
        ELSE 'json'
      END),
    "url" = CASE WHEN p.has_format THEN p.base || COALESCE('#' || p.rest, '') ELSE w."url" END
FROM (
  SELECT s."uuid",
         split_part(s."url", '#', 1) AS base,
         lower(substring(s."url" from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^/?#@]*@)?([^/?#:]*)')) AS host,
         substring(s."url" from '^[A-Za-z][A-Za-z0-9+.-]*://[^/?#]*(/[^?#]*)') AS path,
         f.has_format, f.first_format, f.rest
  FROM "webhook_subscriptions" AS s
  CROSS JOIN LATERAL (
    SELECT coalesce(bool_or(split_part(t.kv, '=', 1) = 'format'), false) AS has_format,
           (array_agg(substr(t.kv, 8) ORDER BY t.n) FILTER (WHERE split_part(t.kv, '=', 1) = 'format'))[1] AS first_format,
           string_agg(t.kv, '&' ORDER BY t.n) FILTER (WHERE t.kv <> '' AND split_part(t.kv, '=', 1) <> 'format') AS rest
    FROM unnest(string_to_array(CASE WHEN strpos(s."url", '#') > 0 THEN substr(s."url", strpos(s."url", '#') + 1) END, '&'))
         WITH ORDINALITY AS t(kv, n)
  ) AS f
) AS p
WHERE p."uuid" = w."uuid";
