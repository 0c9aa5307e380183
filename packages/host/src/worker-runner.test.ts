// The restart loop of one hosted worker: backoff, crash attribution, control and heartbeats.
import { describe, expect, it } from 'vitest';
import { EVENTS, MemoryBroker, controlMessage, silentLogger, untilAborted, type WorkerSpec } from '@decnet/core';
import { captureEvents, eventually, testConfig } from '@decnet/core/testing';
import { WorkerRunner } from './worker-runner.js';

const fast = { initialMs: 10, maxMs: 40, resetAfterMs: 10_000 };

function runnerFor(spec: WorkerSpec, broker = new MemoryBroker(), backoff = fast): WorkerRunner {
  return new WorkerRunner({
    spec,
    bus: broker.connect(spec.name),
    config: testConfig({ DECNET_HEALTH_INTERVAL_MS: '100' }),
    log: silentLogger,
    backoff,
    stopDeadlineMs: 500,
  });
}

describe('WorkerRunner restart loop', () => {
  it('restarts a crashing worker until it stays up', async () => {
    let starts = 0;
    const runner = runnerFor({
      name: 'flaky',
      needs: ['bus'],
      description: 'fails twice',
      async run(ctx) {
        starts++;
        if (starts < 3) throw new Error(`fail ${starts}`);
        await untilAborted(ctx.signal);
      },
    });
    runner.start();
    await eventually(() => starts === 3 && runner.state === 'running');
    expect(runner.restarts).toBe(2);
    await runner.close();
    expect(runner.state).toBe('stopped');
    expect(starts).toBe(3);
  });

  it('does not restart a worker that returns on its own', async () => {
    let starts = 0;
    const runner = runnerFor({
      name: 'oneshot',
      needs: ['bus'],
      description: 'returns',
      async run() {
        starts++;
      },
    });
    runner.start();
    await eventually(() => runner.state === 'stopped' && starts === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(starts).toBe(1);
    await runner.close();
  });

  it('doubles the backoff up to the cap and resets it after a healthy run', async () => {
    const startsAt: number[] = [];
    let healthyOnce = false;
    const runner = runnerFor(
      {
        name: 'backoff',
        needs: ['bus'],
        description: 'fails',
        async run() {
          startsAt.push(Date.now());
          if (startsAt.length === 5 && !healthyOnce) {
            healthyOnce = true;
            await new Promise((r) => setTimeout(r, 120)); // longer than resetAfterMs
          }
          throw new Error('always');
        },
      },
      new MemoryBroker(),
      { initialMs: 20, maxMs: 80, resetAfterMs: 100 },
    );
    runner.start();
    await eventually(() => startsAt.length >= 7, 5_000);
    await runner.close();
    const gaps = startsAt.slice(1).map((t, i) => t - (startsAt[i] as number));
    // 20, 40, 80, 80 (capped), then the 120 ms healthy run resets: 20 + 120 ms run, then 40.
    expect(gaps[0]).toBeGreaterThanOrEqual(18);
    expect(gaps[1]).toBeGreaterThanOrEqual(38);
    expect(gaps[2]).toBeGreaterThanOrEqual(78);
    expect(gaps[3]).toBeGreaterThanOrEqual(78);
    expect(gaps[3]).toBeLessThan(78 + 60);
    expect(gaps[4]).toBeGreaterThanOrEqual(120 + 18);
    expect(gaps[4]).toBeLessThan(120 + 78);
  });

  it('abandons a worker that ignores its signal after the stop deadline', async () => {
    const runner = runnerFor({
      name: 'stubborn',
      needs: ['bus'],
      description: 'never returns',
      run: () => new Promise<void>(() => undefined),
    });
    runner.start();
    await eventually(() => runner.state === 'running');
    const t0 = Date.now();
    await runner.close();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(450);
    expect(runner.state).toBe('stopped');
  });

  it('removes a failed run’s subscriptions before restarting it', async () => {
    const broker = new MemoryBroker();
    let starts = 0;
    const seen: number[] = [];
    const runner = runnerFor(
      {
        name: 'subscriber',
        needs: ['bus'],
        description: 'subscribes then fails once',
        async run(ctx) {
          starts++;
          ctx.bus.subscribe('x.y', () => void seen.push(starts));
          if (starts === 1) throw new Error('first run fails');
          await untilAborted(ctx.signal);
        },
      },
      broker,
    );
    runner.start();
    await eventually(() => starts === 2 && runner.state === 'running');
    await broker.connect('pub').publish('x.y', {});
    await eventually(() => seen.length >= 1);
    await new Promise((r) => setTimeout(r, 20));
    expect(seen).toEqual([2]);
    await runner.close();
  });

  it('attributes a crash reported for the worker to its current run', async () => {
    let starts = 0;
    const runner = runnerFor({
      name: 'crashy',
      needs: ['bus'],
      description: 'crashes from outside',
      async run(ctx) {
        starts++;
        await untilAborted(ctx.signal);
      },
    });
    runner.start();
    await eventually(() => runner.state === 'running');
    runner.reportCrash(new Error('uncaught in a timer'));
    await eventually(() => starts === 2 && runner.state === 'running');
    expect(runner.restarts).toBe(1);
    await runner.close();
  });
});

describe('WorkerRunner control and health', () => {
  it('acts on stop, start and restart for this worker only', async () => {
    const broker = new MemoryBroker();
    const starts = { a: 0, b: 0 };
    const make = (name: 'a' | 'b'): WorkerRunner =>
      runnerFor(
        {
          name,
          needs: ['bus'],
          description: name,
          async run(ctx) {
            starts[name]++;
            await untilAborted(ctx.signal);
          },
        },
        broker,
      );
    const a = make('a');
    const b = make('b');
    a.start();
    b.start();
    await eventually(() => a.state === 'running' && b.state === 'running');
    const admin = broker.connect('admin');
    await admin.publish(EVENTS.control.subject('a'), controlMessage('stop', 'test'));
    await eventually(() => a.state === 'stopped');
    expect(b.state).toBe('running');
    await admin.publish(EVENTS.control.subject('a'), controlMessage('start', 'test'));
    await eventually(() => a.state === 'running' && starts.a === 2);
    await admin.publish(EVENTS.control.subject('a'), controlMessage('restart', 'test'));
    await eventually(() => starts.a === 3 && a.state === 'running');
    await admin.publish(EVENTS.control.subject('a'), { action: 'explode', ts: Date.now() / 1000 });
    await admin.publish(EVENTS.control.subject('a'), { nonsense: true });
    await new Promise((r) => setTimeout(r, 20));
    expect(a.state).toBe('running');
    expect(starts).toEqual({ a: 3, b: 1 });
    await Promise.all([a.close(), b.close()]);
  });

  it('ignores a control message issued before the runner existed', async () => {
    const broker = new MemoryBroker();
    const runner = runnerFor(
      { name: 'late', needs: ['bus'], description: 'x', run: (ctx) => untilAborted(ctx.signal) },
      broker,
    );
    runner.start();
    await eventually(() => runner.state === 'running');
    await broker.connect('admin').publish(EVENTS.control.subject('late'), { action: 'stop', ts: Date.now() / 1000 - 3600 });
    await new Promise((r) => setTimeout(r, 20));
    expect(runner.state).toBe('running');
    await runner.close();
  });

  it('publishes schema-valid heartbeats that show progress', async () => {
    const broker = new MemoryBroker();
    const health = captureEvents(broker.connect('registry'), EVENTS.health.pattern);
    const runner = runnerFor(
      {
        name: 'beater',
        needs: ['bus'],
        description: 'handles events',
        async run(ctx) {
          ctx.handled(3);
          ctx.setHealthDetail({ queue: 7 });
          await untilAborted(ctx.signal);
        },
      },
      broker,
    );
    runner.start();
    await health.waitFor(2, 2_000);
    await runner.close();
    const last = EVENTS.health.schema.parse(health.events.at(-1)?.payload);
    expect(last.worker).toBe('beater');
    expect(last.eventsHandled).toBe(3);
    expect(last.lastProgressTs).not.toBeNull();
    expect(last.detail).toEqual({ queue: 7 });
    expect(health.events.at(-1)?.topic).toBe(EVENTS.health.subject('beater'));
  });
});

describe('failure attribution follows the subscriber, not the publisher', () => {
  it('runs MemoryBus handlers in the async context of the worker that subscribed', async () => {
    const { currentWorkerRunner } = await import('./worker-runner.js');
    const broker = new MemoryBroker();
    let seenIn: string | undefined;
    const subscriber = runnerFor(
      {
        name: 'subscriber',
        needs: ['bus'],
        description: 'x',
        async run(ctx) {
          ctx.bus.subscribe('attr.x', () => {
            setTimeout(() => {
              seenIn = currentWorkerRunner()?.name;
            }, 1);
          });
          await untilAborted(ctx.signal);
        },
      },
      broker,
    );
    const publisher = runnerFor(
      {
        name: 'publisher',
        needs: ['bus'],
        description: 'x',
        async run(ctx) {
          await ctx.bus.publish('attr.x', {});
          await untilAborted(ctx.signal);
        },
      },
      broker,
    );
    subscriber.start();
    await eventually(() => subscriber.state === 'running');
    await new Promise((r) => setTimeout(r, 5));
    publisher.start();
    await eventually(() => seenIn !== undefined);
    expect(seenIn).toBe('subscriber');
    await Promise.all([subscriber.close(), publisher.close()]);
  });
});
