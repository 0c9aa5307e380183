// Errors specific to the Kafka bus; the shared ones (BusUnavailableError, MessageTooLargeError,
// IllegalStateError) come from @decnet/core.
import { DecnetError } from '@decnet/core';

/**
 * Thrown (as the rejection of a publish) when the broker refused the record for good, for
 * example a topic created elsewhere with a smaller `max.message.bytes`, or a missing ACL.
 */
export class KafkaPublishRejectedError extends DecnetError {
  constructor(
    readonly topic: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Kafka refused a publish to ${topic}: ${reason}`, options);
  }
}
