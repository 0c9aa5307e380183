import fc from 'fast-check';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { FastDefaultPartitioner, murmur2 } from './partitioner.js';

const metadata = (n: number): PartitionerArgs['partitionMetadata'] =>
  Array.from({ length: n }, (_, i) => ({ partitionId: i, leader: 1, partitionErrorCode: 0, replicas: [1], isr: [1] }));

describe('the fast default partitioner', () => {
  it('matches the murmur2 of Kafka\'s Java client on its published test vectors', () => {
    // Values from the Java client's UtilsTest.testMurmur2.
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    for (const [key, hash] of cases) expect([key, murmur2(Buffer.from(key))]).toEqual([key, hash]);
  });

  it('picks the same partition as kafkajs DefaultPartitioner for every key', () => {
    const theirs = Partitioners.DefaultPartitioner();
    const ours = FastDefaultPartitioner();
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b))),
        fc.integer({ min: 1, max: 64 }),
        (key, partitions) => {
          const args = { topic: 't', partitionMetadata: metadata(partitions), message: { key, value: null } };
          expect(ours(args)).toBe(theirs(args));
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('honours an explicit partition and spreads keyless messages over partitions with a leader', () => {
    const ours = FastDefaultPartitioner();
    const partitionMetadata = metadata(4);
    (partitionMetadata[2] as { leader: number }).leader = -1;
    expect(ours({ topic: 't', partitionMetadata, message: { key: 'k', partition: 3, value: null } })).toBe(3);
    const seen = new Set(Array.from({ length: 12 }, () => ours({ topic: 't', partitionMetadata, message: { value: null } })));
    expect([...seen].sort()).toEqual([0, 1, 3]);
  });
});
