// Error classes shared by every package: each names one failure a caller can act on,
// with context in readonly fields rather than in the message.

/** Base class of every decnet error: sets `name` and keeps an optional `cause`. */
export class DecnetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Thrown when a configuration value is missing or invalid; `key` names the setting. */
export class ConfigError extends DecnetError {
  constructor(
    readonly key: string,
    readonly expected: string,
    readonly received?: string,
  ) {
    super(`${key}: expected ${expected}${received === undefined ? '' : `, got ${JSON.stringify(received)}`}`);
  }
}

/** Thrown when a method is called in a lifecycle state that does not allow it. */
export class IllegalStateError extends DecnetError {
  constructor(
    readonly operation: string,
    readonly state: string,
  ) {
    super(`cannot ${operation} while ${state}`);
  }
}

/** Thrown when a subject or pattern is not well formed. */
export class InvalidSubjectError extends DecnetError {
  constructor(
    readonly subject: string,
    readonly reason: string,
  ) {
    super(`invalid subject ${JSON.stringify(subject)}: ${reason}`);
  }
}

/** Thrown when an encoded bus message would exceed the size cap. */
export class MessageTooLargeError extends DecnetError {
  constructor(
    readonly subject: string,
    readonly bytes: number,
    readonly limit: number,
  ) {
    super(`message on ${subject} is ${bytes} bytes, over the ${limit}-byte cap`);
  }
}

/** Thrown when the bus cannot accept a publish (broker unreachable past its retry budget). */
export class BusUnavailableError extends DecnetError {
  constructor(
    readonly address: string,
    options?: { cause?: unknown },
  ) {
    super(`bus unreachable at ${address}`, options);
  }
}
