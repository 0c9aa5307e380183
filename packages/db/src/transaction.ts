// Where repository functions run: the pool (each statement on its own) or one connection inside
// a transaction. withTransaction owns BEGIN/COMMIT/ROLLBACK and gives back a connection that may
// be broken, so callers compose repository calls into one atomic unit without writing SQL.
import { DecnetError } from '@decnet/core';
import type pg from 'pg';
import { isConnectionError } from './errors.js';

/** Anything that runs a query: the pool, or the connection of a transaction. */
export type Queryable = Pick<pg.ClientBase, 'query'>;

/** A connection inside an open transaction (see {@link withTransaction}). */
export type Transaction = Queryable;

/** The pool of an open database (`database.pool`). */
export type Pool = Pick<pg.Pool, 'connect' | 'query'>;

/**
 * Runs `work` inside one transaction on a connection of `pool`: COMMIT when it resolves,
 * ROLLBACK when it throws (the error is rethrown, so nothing of the unit is stored). A connection
 * whose failure was not the SQL itself (socket, timeout, server shutdown), or that the server
 * dropped meanwhile, is discarded instead of returned to the pool; a `DecnetError` thrown by the
 * caller's own logic keeps the connection.
 * @throws the driver's error when connecting, BEGIN or COMMIT fails; `work`'s error otherwise.
 */
export async function withTransaction<T>(pool: Pool, work: (tx: Transaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out connection has no listener of the pool's: one the server drops while this unit
  // holds it would surface as an uncaught 'error' event. The statement in flight fails anyway.
  let dropped: Error | undefined;
  const onDropped = (err: Error): void => {
    dropped = err;
  };
  client.on('error', onDropped);
  let failure: unknown;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    failure = err;
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.removeListener('error', onDropped);
    const broken = failure !== undefined && !(failure instanceof DecnetError) && isConnectionError(failure);
    client.release(dropped ?? (broken ? (failure as Error) : undefined));
  }
}

/**
 * Takes a transaction-scoped advisory lock (`pg_advisory_xact_lock`): other transactions asking
 * for the same `key` wait until this one ends. `key` is a signed 64-bit integer as decimal text.
 */
export async function lockForTransaction(tx: Transaction, key: string): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::bigint)', [key]);
}
