// kafkajs's default partitioner, computed without its 64-bit Long arithmetic and per-message
// array filtering: the same partition for every key (Java-compatible murmur2), at a fraction of
// the cost. Every published event goes through it.
import { randomInt } from 'node:crypto';
import type { ICustomPartitioner, PartitionerArgs } from 'kafkajs';

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/**
 * Kafka's murmur2 as its Java client (and kafkajs's DefaultPartitioner) computes it, in 32-bit
 * integer arithmetic: only the low 32 bits of kafkajs's 64-bit products ever reach the result.
 */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  let h = (SEED ^ length) | 0;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = (data[i] as number) | ((data[i + 1] as number) << 8) | ((data[i + 2] as number) << 16) | ((data[i + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  // The one to three remaining bytes, highest first, then one mixing step (the Java original
  // does this with a falling-through switch).
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= (data[whole + 2] as number) << 16;
    if (rest >= 2) h ^= (data[whole + 1] as number) << 8;
    h ^= data[whole] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

const toPositive = (x: number): number => x & 0x7fffffff;

/** A partitioner factory for `kafka.producer({ createPartitioner })`, equivalent to kafkajs's DefaultPartitioner. */
export const FastDefaultPartitioner: ICustomPartitioner = () => {
  const counters = new Map<string, number>();
  return ({ topic, partitionMetadata, message }: PartitionerArgs): number => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const key = message.key;
    if (key !== null && key !== undefined) {
      const bytes = typeof key === 'string' ? Buffer.from(key) : key;
      return toPositive(murmur2(bytes)) % partitionMetadata.length;
    }
    // Keyless: round robin over partitions that have a leader, from a random start per topic.
    const next = (counters.get(topic) ?? randomInt(0x7fffffff)) + 1;
    counters.set(topic, next);
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    if (available.length > 0) return (available[toPositive(next) % available.length] as { partitionId: number }).partitionId;
    return toPositive(next) % partitionMetadata.length;
  };
};

/** The partition of `key` among `count`, as the default partitioner picks it. */
export function partitionForKey(key: Buffer | string, count: number): number {
  return toPositive(murmur2(typeof key === 'string' ? Buffer.from(key) : key)) % count;
}
