import { describe, expect, it } from 'vitest';
import { MemoryBroker, NullBus } from './memory-bus.js';
import { captureEvents, eventually } from './testing.js';
import { InvalidSubjectError, IllegalStateError } from './errors.js';
import { EVENTS, rootPattern, subjectPattern } from './events/catalogue.js';

describe('MemoryBus delivery', () => {
  it('delivers exact and wildcard matches and nothing else', async () => {
    const broker = new MemoryBroker();
    const pub = broker.connect('pub');
    const sub = broker.connect('sub');
    const got = captureEvents(sub, rootPattern('attacker'));
    const states = captureEvents(sub, EVENTS.deckyState.pattern);
    await pub.publish(EVENTS.attackerObserved.subject, { n: 1 });
    await pub.publish(EVENTS.deckyState.subject('web01'), { n: 2 });
    await pub.publish(EVENTS.identityFormed.subject, { n: 3 });
    await got.waitFor(1);
    await states.waitFor(1);
    await new Promise((r) => setTimeout(r, 10));
    expect(got.events.map((e) => e.topic)).toEqual([EVENTS.attackerObserved.subject]);
    expect(states.events.map((e) => e.topic)).toEqual([EVENTS.deckyState.subject('web01')]);
  });

  it('gives each group its own copy that handlers cannot share by mutation', async () => {
    const broker = new MemoryBroker();
    const bus = broker.connect('w');
    const seen: unknown[] = [];
    bus.subscribe('a.b', (e) => {
      (e.payload as { n: number }).n = 99;
    }, { group: 'g1' });
    bus.subscribe('a.b', (e) => {
      seen.push(e.payload.n);
    }, { group: 'g2' });
    await bus.publish('a.b', { n: 1 });
    await eventually(() => seen.length === 1);
    expect(seen).toEqual([1]);
  });

  it('splits a group between its members and broadcasts to every group', async () => {
    const broker = new MemoryBroker();
    const a = broker.connect('ingester');
    const b = broker.connect('ingester');
    const other = broker.connect('profiler');
    const countA: string[] = [];
    const countB: string[] = [];
    a.subscribe('logs.>', (e) => void countA.push(e.id));
    b.subscribe('logs.>', (e) => void countB.push(e.id));
    const all = captureEvents(other, 'logs.>', 'profiler:logs');
    for (let i = 0; i < 10; i++) await a.publish('logs.line', { i });
    await all.waitFor(10);
    await eventually(() => countA.length + countB.length === 10);
    expect(countA.length).toBe(5);
    expect(countB.length).toBe(5);
    expect(new Set([...countA, ...countB]).size).toBe(10);
  });

  it('holds a publisher back while a subscriber queue is full, and loses nothing', async () => {
    const broker = new MemoryBroker();
    const bus = broker.connect('w');
    const seen: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    bus.subscribe(
      'q.x',
      async (e) => {
        await gate;
        seen.push(e.payload.i as number);
      },
      { queueSize: 2 },
    );
    await bus.publish('q.x', { i: 0 });
    await new Promise((r) => setTimeout(r, 5)); // event 0 is now in the handler
    await bus.publish('q.x', { i: 1 });
    await bus.publish('q.x', { i: 2 });
    let accepted = 0;
    const blocked = [3, 4].map((i) => bus.publish('q.x', { i }).then(() => accepted++));
    await new Promise((r) => setTimeout(r, 10));
    expect(accepted).toBe(0); // the queue holds 1 and 2: 3 and 4 wait for room
    release();
    await Promise.all(blocked);
    await eventually(() => seen.length === 5);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
    expect(bus.stats().dropped).toBe(0);
  });

  it('drops the oldest event of a full lossy subscription, and counts it', async () => {
    const broker = new MemoryBroker();
    const bus = broker.connect('w');
    const seen: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    bus.subscribe(
      'q.x',
      async (e) => {
        await gate;
        seen.push(e.payload.i as number);
      },
      { queueSize: 2, lossy: true },
    );
    await bus.publish('q.x', { i: 0 });
    await new Promise((r) => setTimeout(r, 5)); // event 0 is now in the handler
    for (let i = 1; i < 5; i++) await bus.publish('q.x', { i });
    release();
    await eventually(() => seen.length === 3);
    expect(seen).toEqual([0, 3, 4]);
    expect(bus.stats().dropped).toBe(2);
  });

  it('never makes a handler wait on a full queue, even its own', async () => {
    const broker = new MemoryBroker();
    const bus = broker.connect('w');
    const seen: number[] = [];
    bus.subscribe(
      'loop.x',
      async (e) => {
        const i = e.payload.i as number;
        seen.push(i);
        // Each event fans out into three more of its own subject until depth 3: far more than fit.
        if (i < 40) await Promise.all([1, 2, 3].map((k) => bus.publish('loop.x', { i: i * 3 + k })));
      },
      { queueSize: 2 },
    );
    await bus.publish('loop.x', { i: 0 });
    await eventually(() => seen.length === 121);
    expect(bus.stats().dropped).toBe(0);
  });

  it('lets waiting publishers go when the subscriber leaves', async () => {
    const broker = new MemoryBroker();
    const bus = broker.connect('w');
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const sub = bus.subscribe('q.y', () => gate, { queueSize: 1 });
    await bus.publish('q.y', { i: 0 });
    await new Promise((r) => setTimeout(r, 5));
    await bus.publish('q.y', { i: 1 });
    const waiting = bus.publish('q.y', { i: 2 });
    const left = sub.unsubscribe();
    await waiting;
    release();
    await left;
  });

  it('keeps delivering after a handler throws, counting the failure', async () => {
    const broker = new MemoryBroker();
    const bus = broker.connect('w');
    const seen: number[] = [];
    bus.subscribe('e.x', (e) => {
      if (e.payload.i === 0) throw new Error('boom');
      seen.push(e.payload.i as number);
    });
    await bus.publish('e.x', { i: 0 });
    await bus.publish('e.x', { i: 1 });
    await eventually(() => seen.length === 1);
    expect(bus.stats().handlerErrors).toBe(1);
  });

  it('preserves per-publisher order', async () => {
    const broker = new MemoryBroker();
    const bus = broker.connect('w');
    const seen: number[] = [];
    bus.subscribe('o.x', async (e) => {
      await new Promise((r) => setTimeout(r, Math.random() * 2));
      seen.push(e.payload.i as number);
    });
    for (let i = 0; i < 20; i++) await bus.publish('o.x', { i });
    await eventually(() => seen.length === 20);
    expect(seen).toEqual([...Array(20).keys()]);
  });
});

describe('MemoryBus lifecycle', () => {
  it('drops publishes after close without throwing, and refuses new subscriptions', async () => {
    const bus = new MemoryBroker().connect('w');
    await bus.close();
    await bus.close();
    await expect(bus.publish('a.b', {})).resolves.toBeUndefined();
    expect(bus.stats().dropped).toBe(1);
    expect(() => bus.subscribe('a.b', () => undefined)).toThrow(IllegalStateError);
  });
  it('stops delivery after unsubscribe', async () => {
    const bus = new MemoryBroker().connect('w');
    const seen: string[] = [];
    const sub = bus.subscribe('a.b', (e) => void seen.push(e.id));
    await bus.publish('a.b', {});
    await eventually(() => seen.length === 1);
    await sub.unsubscribe();
    await bus.publish('a.b', {});
    await new Promise((r) => setTimeout(r, 10));
    expect(seen.length).toBe(1);
  });
  it('rejects malformed subjects and patterns', async () => {
    const bus = new MemoryBroker().connect('w');
    await expect(bus.publish('a..b', {})).rejects.toThrow(InvalidSubjectError);
    expect(() => bus.subscribe('a.>.b', () => undefined)).toThrow(InvalidSubjectError);
  });
  it('NullBus accepts publishes and never delivers', async () => {
    const bus = new NullBus('x');
    await bus.publish();
    expect(bus.stats().dropped).toBe(1);
  });
});

describe('MemoryBus concurrency', () => {
  it('runs up to `concurrency` handlers at once and no more', async () => {
    const bus = new MemoryBroker().connect('w');
    let active = 0;
    let peak = 0;
    let done = 0;
    bus.subscribe(
      'c.x',
      async () => {
        active++;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active--;
        done++;
      },
      { concurrency: 4 },
    );
    for (let i = 0; i < 20; i++) await bus.publish('c.x', { i });
    await eventually(() => done === 20);
    expect(peak).toBe(4);
  });
});

describe('MemoryBus retention for groups that start fromBeginning', () => {
  const collect = (bus: ReturnType<MemoryBroker['connect']>, pattern: string, options: Parameters<typeof bus.subscribe>[2]) => {
    const seen: number[] = [];
    const sub = bus.subscribe(pattern, (e) => void seen.push((e.payload as { n: number }).n), options);
    return { seen, sub };
  };

  it('delivers to a new group what was published before it subscribed, oldest first, then live events', async () => {
    const broker = new MemoryBroker();
    const pub = broker.connect('collector');
    for (let n = 1; n <= 3; n++) await pub.publish(EVENTS.logEvent.subject('ssh'), { n });
    await pub.publish(EVENTS.attackerObserved.subject, { n: 99 });
    const late = collect(broker.connect('ingester'), subjectPattern('log', 'event', '*'), { fromBeginning: true });
    await pub.publish(EVENTS.logEvent.subject('http'), { n: 4 });
    await eventually(() => late.seen.length === 4);
    expect(late.seen).toEqual([1, 2, 3, 4]);
  });

  it('replays nothing without fromBeginning, to broadcast subscriptions, or to a group that already existed', async () => {
    const broker = new MemoryBroker();
    const pub = broker.connect('p');
    const first = collect(broker.connect('w'), 'a.b', { fromBeginning: true, group: 'g' });
    await pub.publish('a.b', { n: 1 });
    await eventually(() => first.seen.length === 1);
    await first.sub.unsubscribe();
    await pub.publish('a.b', { n: 2 });
    // A restarted member of a known group resumes live, as the in-memory bus keeps no offsets.
    const again = collect(broker.connect('w'), 'a.b', { fromBeginning: true, group: 'g' });
    const plain = collect(broker.connect('x'), 'a.b', {});
    const broadcast = collect(broker.connect('y'), 'a.b', { fromBeginning: true, broadcast: true });
    await pub.publish('a.b', { n: 3 });
    await eventually(() => again.seen.length > 0 && plain.seen.length > 0 && broadcast.seen.length > 0);
    await new Promise((r) => setTimeout(r, 10));
    expect([again.seen, plain.seen, broadcast.seen]).toEqual([[3], [3], [3]]);
  });

  it('keeps only the last `events` published within `ms`', async () => {
    let now = 0;
    const broker = new MemoryBroker({ events: 3, ms: 1_000 }, () => now);
    const pub = broker.connect('p');
    for (let n = 1; n <= 10; n++) await pub.publish('a.b', { n });
    const capped = collect(broker.connect('c'), 'a.b', { fromBeginning: true });
    await eventually(() => capped.seen.length === 3);
    expect(capped.seen).toEqual([8, 9, 10]);
    now = 1_500;
    await pub.publish('a.b', { n: 11 });
    const windowed = collect(broker.connect('d'), 'a.b', { fromBeginning: true });
    await eventually(() => windowed.seen.length === 1);
    await new Promise((r) => setTimeout(r, 10));
    expect(windowed.seen).toEqual([11]);
  });
});
