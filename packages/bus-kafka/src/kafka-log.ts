// Routes kafkajs's own logging into our Logger. kafkajs logs at ERROR for every retry of a
// broken connection, so its errors become debug lines plus an occasional rate-limited warning.
import type { Logger } from '@decnet/core';
import { logLevel, type LogEntry, type logCreator } from 'kafkajs';

/** One warning per this many kafkajs errors; our own code logs the actionable lines. */
const KAFKAJS_WARN_EVERY = 200;

/** kafkajs fields worth keeping; stacks and request dumps are dropped. */
const KEPT_FIELDS = ['broker', 'groupId', 'topic', 'partition', 'error', 'retryCount', 'retryTime', 'clientId'] as const;

/**
 * Builds a kafkajs `logCreator` writing to `log`: kafkajs errors and warnings become `debug`
 * lines, and every 200th error is also logged as a `warn`; info and debug are dropped (the
 * client is created at WARN so kafkajs does not even format them).
 */
export function kafkaLogCreator(log: Logger): logCreator {
  const kafkaLog = log.child({ component: 'kafkajs' });
  // No warning for the first error: a fresh topic's "not the leader" or a retried connection is
  // routine, and our own code logs every failure that needs action.
  let errors = 0;
  const warnSometimes = (meta: Record<string, unknown>): void => {
    errors++;
    if (errors % KAFKAJS_WARN_EVERY === 0) kafkaLog.warn('kafkajs reported errors (details at debug)', { ...meta, occurrences: errors });
  };
  return () =>
    ({ namespace, level, log: entry }: LogEntry) => {
      if (level > logLevel.WARN) return;
      const meta: Record<string, unknown> = { namespace, detail: entry.message };
      for (const field of KEPT_FIELDS) {
        const value: unknown = entry[field];
        if (value !== undefined) meta[field] = value;
      }
      kafkaLog.debug('kafkajs', meta);
      if (level === logLevel.ERROR) warnSometimes(meta);
    };
}
