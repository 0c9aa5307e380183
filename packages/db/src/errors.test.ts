// The SQLSTATE classifications every database worker shares: what isolates a row, what retries,
// what means the schema is missing.
import { describe, expect, it } from 'vitest';
import {
  isConnectionError,
  isDataError,
  isDataOrConstraintError,
  isForeignKeyError,
  isMissingTableError,
  isSchemaError,
  isUniqueViolation,
  sqlStateOf,
} from './errors.js';

const pgError = (code: string): Error & { code: string } => Object.assign(new Error(`SQLSTATE ${code}`), { code });

describe('SQLSTATE classification', () => {
  it('reads the SQLSTATE of a driver error and nothing else', () => {
    expect(sqlStateOf(pgError('23505'))).toBe('23505');
    expect(sqlStateOf(new Error('socket hang up'))).toBeUndefined();
    expect(sqlStateOf(Object.assign(new Error('x'), { code: 42 }))).toBeUndefined();
    expect(sqlStateOf(null)).toBeUndefined();
    expect(sqlStateOf(undefined)).toBeUndefined();
  });

  it('calls data that can never be stored a data error: 22xxx, NOT NULL, FK, CHECK, too large', () => {
    for (const code of ['22001', '22P02', '23502', '23503', '23514', '54000']) expect(isDataError(pgError(code)), code).toBe(true);
    for (const code of ['23505', '40P01', '08006', '42P01']) expect(isDataError(pgError(code)), code).toBe(false);
    expect(isDataError(new Error('no code'))).toBe(false);
  });

  it('counts every integrity violation with the data exceptions where a whole statement is refused', () => {
    for (const code of ['22021', '23505', '23514', '23P01']) expect(isDataOrConstraintError(pgError(code)), code).toBe(true);
    for (const code of ['40001', '57P01']) expect(isDataOrConstraintError(pgError(code)), code).toBe(false);
  });

  it('names foreign key, unique, missing-table and schema errors', () => {
    expect(isForeignKeyError(pgError('23503'))).toBe(true);
    expect(isForeignKeyError(pgError('23505'))).toBe(false);
    expect(isUniqueViolation(pgError('23505'))).toBe(true);
    expect(isMissingTableError(pgError('42P01'))).toBe(true);
    expect(isMissingTableError(pgError('42703'))).toBe(false);
    for (const code of ['42P01', '42703', '42704']) expect(isSchemaError(pgError(code)), code).toBe(true);
    expect(isSchemaError(pgError('42601'))).toBe(false);
  });

  it('suspects the connection when there is no SQLSTATE, a connection exception or an operator intervention', () => {
    for (const err of [new Error('ECONNRESET'), pgError('08006'), pgError('57P01')]) expect(isConnectionError(err)).toBe(true);
    expect(isConnectionError(pgError('23505'))).toBe(false);
  });
});
