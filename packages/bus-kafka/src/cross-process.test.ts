// Wildcard delivery between two processes: a child process subscribes, this one publishes.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { EVENTS, rootPattern, silentLogger } from '@decnet/core';
import { eventually } from '@decnet/core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { deleteTopics, REPO_ROOT, sleep, testBrokers, uniquePrefix } from './kafka-test-kit.fixture.js';
import { openKafkaTransport } from './transport.js';

const prefix = uniquePrefix('xproc');
const brokers = testBrokers();
const CHILD = fileURLToPath(new URL('./cross-process-child.fixture.ts', import.meta.url));

afterAll(async () => {
  await deleteTopics(brokers, prefix);
});

interface ChildLine {
  ready?: boolean;
  closed?: boolean;
  pattern?: string;
  subject?: string;
  id?: string;
  origin?: string;
  payload?: Record<string, unknown>;
}

function startChild(patterns: string[]): { child: ChildProcess; lines: ChildLine[] } {
  const child = spawn(process.execPath, ['--conditions=@decnet/source', '--import', 'tsx', CHILD], {
    cwd: REPO_ROOT,
    env: { ...process.env, KAFKA_BROKERS: brokers.join(','), TEST_PREFIX: prefix, TEST_PATTERNS: JSON.stringify(patterns) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: ChildLine[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => lines.push(JSON.parse(line) as ChildLine));
  return { child, lines };
}

describe('wildcard subscriptions work between processes', () => {
  it('delivers exactly the matching subjects to a subscriber in another process', async () => {
    const { child, lines } = startChild([rootPattern('attacker'), EVENTS.deckyState.pattern]);
    try {
      await eventually(() => lines.some((l) => l.ready) || child.exitCode !== null, 90_000, 50);
      expect(child.exitCode).toBeNull();

      const transport = await openKafkaTransport({ brokers, prefix, instanceId: 'parent', log: silentLogger });
      const bus = transport.connect('parent-publisher');
      const matching = [
        [rootPattern('attacker'), EVENTS.attackerObserved.subject],
        [rootPattern('attacker'), EVENTS.attackerSessionEnded.subject],
        [rootPattern('attacker'), EVENTS.attackerObservation.subject('motor.shell_mastery.tab_completion')],
        [EVENTS.deckyState.pattern, EVENTS.deckyState.subject('host-1:web01')],
        [EVENTS.deckyState.pattern, EVENTS.deckyState.subject('web02')],
      ] as const;
      const nonMatching = [
        'attacker',
        EVENTS.deckyTraffic.subject('web01'),
        // Deliberately outside every decky family: one token too many, one too few.
        // eslint-disable-next-line decnet-events/no-subject-literal
        'decky.web01.state.extra',
        // eslint-disable-next-line decnet-events/no-subject-literal
        'decky.state',
        EVENTS.identityFormed.subject,
        EVENTS.systemLog.subject,
        EVENTS.control.subject('child-subscriber'),
        EVENTS.canaryPlaced.subject('tok1'),
        'newroot.attacker.observed',
      ];
      for (const subject of nonMatching) await bus.publish(subject, { n: subject }, { id: `no:${subject}` });
      for (const [, subject] of matching) await bus.publish(subject, { n: subject }, { id: `yes:${subject}` });

      const events = (): ChildLine[] => lines.filter((l) => l.id !== undefined);
      await eventually(() => events().length >= matching.length, 30_000, 50);
      await sleep(1_500); // a wrongly delivered or duplicated event would arrive by now
      expect(events().map((l) => [l.pattern, l.subject, l.id]).sort()).toEqual(
        matching.map(([pattern, subject]) => [pattern, subject, `yes:${subject}`]).sort(),
      );
      expect(events().every((l) => l.origin === 'parent-publisher' && l.payload?.['n'] === l.subject)).toBe(true);
      await transport.close();
    } finally {
      child.stdin?.end();
      await eventually(() => child.exitCode !== null, 20_000, 50).catch(() => child.kill('SIGKILL'));
    }
    expect(lines.some((l) => l.closed)).toBe(true);
  });
});
