// The process memory guard on a real bundle: with a low DECNET_SERVICE_MEMORY_CEILING_MB, clients
// that make the decoy hold replies are shed newest first, each with an event, before the RSS
// reaches the ceiling, and the decoy keeps answering.
import { connect, type Socket } from 'node:net';
import { runClient, sampleRss, useServiceBundle } from '@decnet/decky-kit/testing';
import { describe, expect, it } from 'vitest';

const CEILING_MB = 96;

const proc = useServiceBundle({
  slug: 'redis',
  portEnv: 'REDIS_PORT',
  clients: ['redis-cli'],
  env: { DECNET_SERVICE_IDLE_TIMEOUT_S: '120', DECNET_SERVICE_MEMORY_CEILING_MB: String(CEILING_MB) },
});

describe('the memory guard sheds the newest connections before the RSS ceiling', () => {
  it('keeps a redis bundle under a 96 MiB ceiling while 100 clients pipeline GETs of a large value they never read', async () => {
    const set = await runClient('redis-cli', ['-h', '127.0.0.1', '-p', String(proc.port), '-x', 'SET', 'big'], {
      input: 'v'.repeat(60 * 1024),
      timeoutMs: 10_000,
    });
    expect(set.stdout).toBe('OK\n');
    const idleKb = proc.rssKb();
    const rss = sampleRss(proc.pid, 20);
    const sockets: Socket[] = [];
    for (let i = 0; i < 100; i++) {
      const s = connect({ host: '127.0.0.1', port: proc.port });
      s.on('error', () => undefined);
      s.once('connect', () => {
        s.pause();
        s.write('GET big\r\n'.repeat(20_000));
      });
      sockets.push(s);
      await new Promise((r) => setTimeout(r, 50));
    }
    await new Promise((r) => setTimeout(r, 2_000));
    const ping = await runClient('redis-cli', ['-h', '127.0.0.1', '-p', String(proc.port), 'PING'], {
      timeoutMs: 10_000,
    });
    const maxKb = rss.stop();
    for (const s of sockets) s.destroy();
    const shed = proc.events.ofType('connection_shed').filter((e) => e.fields['reason'] === 'memory_guard');
    console.info(
      `[memory guard] idle ${(idleKb / 1024).toFixed(1)} MiB, max ${(maxKb / 1024).toFixed(1)} MiB under a ${CEILING_MB} MiB ceiling, ${shed.length} shed`,
    );
    expect(ping.stdout).toBe('PONG\n');
    expect(shed.length).toBeGreaterThan(0);
    expect(shed[0]?.fields).toMatchObject({ ceiling_mb: String(CEILING_MB) });
    expect(Number(shed[0]?.fields['rss_mb'])).toBeGreaterThanOrEqual(CEILING_MB * 0.6 - 1);
    expect(maxKb).toBeLessThan(CEILING_MB * 1024);
    expect(proc.stderr()).toContain('memory guard shedding the newest connections');
  });
});
