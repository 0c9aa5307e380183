// The webhooks repository against real Postgres: subscription CRUD by uuid or name, a taken name
// reported as a unique violation, and the breaker counting every concurrent failure exactly once.
import { rootPattern } from '@decnet/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import type { Database } from '../connection.js';
import { isUniqueViolation } from '../errors.js';
import { webhook_subscriptions } from '../schema/webhooks.js';
import { migratedScratchDatabase, truncateTables } from '../testing.js';
import {
  MAX_LAST_ERROR,
  deleteWebhookSubscription,
  findWebhookSubscription,
  insertWebhookSubscription,
  listWebhookSubscriptions,
  recordDeliveryFailure,
  recordDeliverySuccess,
  setWebhookSubscriptionEnabled,
  type NewWebhookSubscription,
} from './webhooks-repository.js';

let scratch: ScratchDatabase;
let database: Database;

beforeAll(async () => {
  ({ scratch, database } = await migratedScratchDatabase(8));
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});
beforeEach(async () => {
  await truncateTables(database, [webhook_subscriptions]);
});

const sub = (name: string, over: Partial<NewWebhookSubscription> = {}): NewWebhookSubscription => ({
  name,
  url: 'https://siem.example.com/in',
  secret: 'secret-0123456789abcdef',
  patterns: [rootPattern('attacker')],
  format: 'json',
  ...over,
});

describe('subscriptions', () => {
  it('stores, finds by uuid or name, lists by name, and deletes', async () => {
    const b = await insertWebhookSubscription(database.pool, sub('b', { format: 'slack' }));
    expect(b).toMatchObject({ name: 'b', topic_patterns: [rootPattern('attacker')], format: 'slack', enabled: true, consecutive_failures: 0, last_error: null });
    await insertWebhookSubscription(database.pool, sub('a'));
    expect((await findWebhookSubscription(database.pool, b.uuid))?.name).toBe('b');
    expect((await findWebhookSubscription(database.pool, 'a'))?.format).toBe('json');
    expect(await findWebhookSubscription(database.pool, 'nope')).toBeUndefined();
    expect((await listWebhookSubscriptions(database.pool)).map((s) => s.name)).toEqual(['a', 'b']);
    expect(await deleteWebhookSubscription(database.pool, 'a')).toBe(true);
    expect(await deleteWebhookSubscription(database.pool, 'a')).toBe(false);
  });

  it('reports a taken name as a unique violation', async () => {
    await insertWebhookSubscription(database.pool, sub('dup'));
    const err = await insertWebhookSubscription(database.pool, sub('dup')).catch((e: unknown) => e);
    expect(isUniqueViolation(err)).toBe(true);
  });

  it('lists only enabled ones when asked; enabling clears a tripped breaker', async () => {
    const s = await insertWebhookSubscription(database.pool, sub('s'));
    for (let i = 0; i < 3; i++) await recordDeliveryFailure(database.pool, s.uuid, 'down', 3);
    expect(await listWebhookSubscriptions(database.pool, { enabledOnly: true })).toEqual([]);
    const enabled = await setWebhookSubscriptionEnabled(database.pool, 's', true);
    expect(enabled).toMatchObject({ enabled: true, consecutive_failures: 0, auto_disabled_at: null });
    expect((await setWebhookSubscriptionEnabled(database.pool, s.uuid, false))?.enabled).toBe(false);
    expect(await setWebhookSubscriptionEnabled(database.pool, 'nope', true)).toBeUndefined();
  });
});

describe('the breaker', () => {
  it('counts every concurrent failure once and trips exactly once at the threshold', async () => {
    const s = await insertWebhookSubscription(database.pool, sub('busy'));
    const results = await Promise.all(Array.from({ length: 8 }, () => recordDeliveryFailure(database.pool, s.uuid, 'timeout', 5)));
    expect(results.map((r) => r?.failures).sort((a, b) => (a ?? 0) - (b ?? 0))).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(results.filter((r) => r?.tripped)).toHaveLength(1);
    const row = await findWebhookSubscription(database.pool, 'busy');
    expect(row).toMatchObject({ consecutive_failures: 8, enabled: false, last_error: 'timeout' });
    expect(row?.auto_disabled_at).toBeInstanceOf(Date);
  });

  it('resets the streak on success, cuts the stored error, and answers nothing for a deleted subscription', async () => {
    const s = await insertWebhookSubscription(database.pool, sub('flaky'));
    await recordDeliveryFailure(database.pool, s.uuid, 'x'.repeat(MAX_LAST_ERROR + 100), 5);
    await recordDeliverySuccess(database.pool, s.uuid);
    const row = await findWebhookSubscription(database.pool, 'flaky');
    expect(row).toMatchObject({ consecutive_failures: 0, enabled: true });
    expect(row?.last_error).toHaveLength(MAX_LAST_ERROR);
    expect(row?.last_success_at).toBeInstanceOf(Date);
    await deleteWebhookSubscription(database.pool, s.uuid);
    expect(await recordDeliveryFailure(database.pool, s.uuid, 'gone', 5)).toBeUndefined();
  });
});
