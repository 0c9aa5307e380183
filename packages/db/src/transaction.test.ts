// Transactions against real Postgres: a unit commits or stores nothing, its connection goes back
// to the pool unless the failure may have broken it, an advisory lock serialises two units, and
// the state helpers read and move a cursor inside one.
import { DecnetError } from '@decnet/core';
import type { ScratchDatabase } from '@decnet/testing/postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from './connection.js';
import { isConnectionError } from './errors.js';
import { state } from './schema/logs.js';
import { getState, readOrInitState, setState, updateState } from './state.js';
import { countRows, migratedScratchDatabase, truncateTables } from './testing.js';
import { lockForTransaction, withTransaction } from './transaction.js';

let scratch: ScratchDatabase;
let database: Database;

beforeAll(async () => {
  ({ scratch, database } = await migratedScratchDatabase(2));
});
afterAll(async () => {
  await database.close();
  await scratch.drop();
});
beforeEach(async () => {
  await truncateTables(database, [state]);
});

describe('withTransaction', () => {
  it('commits what the unit did and returns its result', async () => {
    const result = await withTransaction(database.pool, async (tx) => {
      await readOrInitState(tx, 'k', { n: 1 });
      return 'done';
    });
    expect(result).toBe('done');
    expect(await getState(database.db, 'k')).toEqual({ n: 1 });
  });

  it('stores nothing of a unit that throws, and rethrows its error', async () => {
    const failure = new Error('logic failed');
    await expect(
      withTransaction(database.pool, async (tx) => {
        await readOrInitState(tx, 'k', { n: 1 });
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect(await countRows(database, state)).toBe(0);
  });

  it('keeps the connection after a decnet error of the caller\'s logic', async () => {
    await withTransaction(database.pool, async () => undefined);
    const before = database.pool.totalCount;
    class CallerError extends DecnetError {}
    await expect(withTransaction(database.pool, async () => Promise.reject(new CallerError('bad cursor')))).rejects.toBeInstanceOf(CallerError);
    expect(database.pool.totalCount).toBe(before);
    expect(database.pool.idleCount).toBe(before);
  });

  it('discards a connection the server closed, and the pool goes on working', async () => {
    const killed = await withTransaction(database.pool, (tx) => tx.query('SELECT pg_terminate_backend(pg_backend_pid())')).catch((err: unknown) => err);
    expect(isConnectionError(killed)).toBe(true);
    expect(await withTransaction(database.pool, async (tx) => (await tx.query<{ n: number }>('SELECT 1 AS n')).rows[0]?.n)).toBe(1);
  });
});

describe('lockForTransaction', () => {
  it('makes a second unit wait until the first one ends', async () => {
    const order: string[] = [];
    let releaseFirst!: () => void;
    const held = new Promise<void>((r) => (releaseFirst = r));
    let locked!: () => void;
    const firstLocked = new Promise<void>((r) => (locked = r));
    const first = withTransaction(database.pool, async (tx) => {
      await lockForTransaction(tx, '42');
      locked();
      await held;
      order.push('first');
    });
    await firstLocked;
    const second = withTransaction(database.pool, async (tx) => {
      await lockForTransaction(tx, '42');
      order.push('second');
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(order).toEqual([]);
    releaseFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first', 'second']);
  });
});

describe('state inside a transaction', () => {
  it('creates a key once and reads it, then replaces its value', async () => {
    await withTransaction(database.pool, async (tx) => {
      expect(await readOrInitState(tx, 'cursor', { last_log_id: 0 })).toEqual({ last_log_id: 0 });
      await updateState(tx, 'cursor', { last_log_id: 7 });
      expect(await readOrInitState(tx, 'cursor', { last_log_id: 0 })).toEqual({ last_log_id: 7 });
    });
    expect(await getState(database.db, 'cursor')).toEqual({ last_log_id: 7 });
  });

  it('reads what another writer stored instead of overwriting it', async () => {
    await setState(database.db, 'cursor', { position: 9 });
    expect(await withTransaction(database.pool, (tx) => readOrInitState(tx, 'cursor', { last_log_id: 0 }))).toEqual({ position: 9 });
  });

  it('creates nothing when replacing a missing key', async () => {
    await updateState(database.pool, 'missing', 1);
    expect(await getState(database.db, 'missing')).toBeUndefined();
  });
});
