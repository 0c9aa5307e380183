// The webhook package's error classes.
import { DecnetError } from '@decnet/core';

/** Thrown when a subscription is created with a name another subscription has. */
export class DuplicateSubscriptionError extends DecnetError {
  constructor(readonly subscriptionName: string) {
    super(`a webhook subscription named ${JSON.stringify(subscriptionName)} already exists`);
  }
}

/** Thrown when a subscription's fields are invalid (name, URL, secret, patterns); `field` names the culprit. */
export class InvalidSubscriptionError extends DecnetError {
  constructor(
    readonly field: 'name' | 'url' | 'secret' | 'patterns' | 'format',
    readonly reason: string,
  ) {
    super(`invalid ${field}: ${reason}`);
  }
}
