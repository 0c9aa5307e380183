// Crash tolerance: a private broker is SIGKILLed and restarted under a publishing loop; every
// acknowledged event must still be delivered, and the bus must carry on.
import { EVENTS, rootPattern, BusUnavailableError } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordingLogger, sleep, startPrivateBroker, type PrivateBroker } from './kafka-test-kit.fixture.js';
import { openKafkaTransport, type KafkaTransport } from './transport.js';

// This file kills its broker, so it runs its own (the shared one serves other suites).
let broker: PrivateBroker;
const transports: KafkaTransport[] = [];
const prefix = 'restart';

beforeAll(async () => {
  broker = await startPrivateBroker();
}, 180_000);

afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await broker?.stop();
}, 120_000);

async function open(instanceId: string, publishTimeoutMs?: number): Promise<KafkaTransport> {
  const transport = await openKafkaTransport({
    brokers: broker.brokers,
    prefix,
    instanceId,
    log: recordingLogger(),
    ...(publishTimeoutMs ? { publishTimeoutMs } : {}),
  });
  transports.push(transport);
  return transport;
}

describe('a broker crash and restart loses no acknowledged event', () => {
  it('keeps publishing and consuming across SIGKILL and restart; every acknowledged id arrives', async () => {
    const producerSide = await open('producer');
    const consumerSide = await open('consumer');
    const impatient = await open('impatient', 1_500);

    const live = new Map<string, number>();
    const liveBus = consumerSide.connect('profiler');
    const liveSub = liveBus.subscribe(rootPattern('attacker'), (e) => void live.set(e.id, (live.get(e.id) ?? 0) + 1));
    await liveSub.ready;

    const bus = producerSide.connect('collector');
    const acked: string[] = [];
    let failed = 0;
    let stop = false;
    let n = 0;
    const loop = (async () => {
      while (!stop) {
        const id = `e-${n++}`;
        try {
          await bus.publish(EVENTS.attackerSessionEnded.subject, { n }, { id, key: `10.0.0.${n % 16}` });
          acked.push(id);
        } catch (err) {
          expect(err).toBeInstanceOf(BusUnavailableError);
          failed++;
        }
      }
    })();

    await eventually(() => acked.length >= 100, 30_000);
    await broker.kill();
    const ackedAtKill = acked.length;

    // While the broker is down a publish with a short budget fails plainly.
    await expect(impatient.connect('api').publish(EVENTS.attackerScored.subject, { x: 1 })).rejects.toBeInstanceOf(BusUnavailableError);

    await broker.restart();
    await eventually(() => acked.length >= ackedAtKill + 100, 60_000);
    stop = true;
    await loop;
    expect(failed).toBe(0); // the 30 s budget covers a restart of a few seconds

    // The live group recovers on its own; a new group reads everything from the start.
    await eventually(() => acked.every((id) => live.has(id)), 60_000, 100);
    const replay = new Set<string>();
    const replaySub = consumerSide
      .connect('auditor')
      .subscribe(EVENTS.attackerSessionEnded.subject, (e) => void replay.add(e.id), { fromBeginning: true });
    await replaySub.ready;
    await eventually(() => acked.every((id) => replay.has(id)), 30_000, 100);

    // And the bus carries on after the restart.
    await bus.publish(EVENTS.attackerObserved.subject, { after: true }, { id: 'after-restart' });
    await eventually(() => live.has('after-restart'), 30_000);
    expect(liveBus.stats().malformed).toBe(0);
  }, 240_000);
});

describe('a consumer started while the broker is down joins once it is back', () => {
  it('delivers to a subscription made during an outage', async () => {
    const side = await open('late');
    const bus = side.connect('late-worker');
    await broker.kill();
    const seen: string[] = [];
    const sub = bus.subscribe(rootPattern('canary'), (e) => void seen.push(e.id));
    await sleep(1_000);
    await broker.restart();
    await sub.ready;
    await side.connect('planter').publish(EVENTS.canaryPlaced.subject('tok1'), { token_id: 'tok1' }, { id: 'placed-1' });
    await eventually(() => seen.includes('placed-1'), 30_000);
  }, 180_000);
});
