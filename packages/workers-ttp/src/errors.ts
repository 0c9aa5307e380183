// The ttp worker's error classes.
import { DecnetError } from '@decnet/core';

/** Thrown when the database lacks the ttp tables: migrations were not applied (`decnet db migrate`). */
export class SchemaNotReadyError extends DecnetError {
  constructor(
    readonly sqlState: string,
    options?: { cause?: unknown },
  ) {
    super(`the database has no ttp_tag/attackers tables (SQLSTATE ${sqlState}); run "decnet db migrate"`, options);
  }
}
