import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigValidationError, loadConfig, redactUrl } from './config.js';

function errorsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigValidationError) return err.errors.map((e) => e.message);
    throw err;
  }
  return [];
}

describe('loadConfig validates every key against the schema', () => {
  it('applies documented defaults', () => {
    const c = loadConfig({});
    expect(c.bus).toBe('kafka');
    expect(c.kafkaBrokers).toEqual(['127.0.0.1:9092']);
    expect(c.healthIntervalMs).toBe(10_000);
    expect(c.logLevel).toBe('info');
    expect(c.databaseUrl).toBeUndefined();
    expect(c.home).toBe(process.getuid?.() === 0 ? '/var/lib/decnet' : `${process.env.HOME}/.decnet`);
  });
  it('names the key and what was expected for a bad value', () => {
    expect(errorsOf(() => loadConfig({ DECNET_HEALTH_INTERVAL_MS: 'soon' }))).toEqual([
      'DECNET_HEALTH_INTERVAL_MS: expected an integer number of milliseconds between 100 and 600000, got "soon"',
    ]);
  });
  it('reports every invalid key at once', () => {
    const errs = errorsOf(() => loadConfig({ DECNET_BUS: 'nats', KAFKA_BROKERS: 'nohost', DATABASE_URL: 'mysql://x' }));
    expect(errs.map((e) => e.split(':')[0])).toEqual(['DECNET_BUS', 'KAFKA_BROKERS', 'DATABASE_URL']);
  });
  it('reads a JSON or KEY=value file named by DECNET_CONFIG, with env winning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'decnet-config-'));
    const json = join(dir, 'c.json');
    writeFileSync(json, JSON.stringify({ DECNET_LOG_LEVEL: 'debug', DECNET_BUS: 'memory' }));
    expect(loadConfig({ DECNET_CONFIG: json, DECNET_BUS: 'none' })).toMatchObject({ logLevel: 'debug', bus: 'none' });
    const env = join(dir, 'c.env');
    writeFileSync(env, '# comment\nKAFKA_BROKERS="10.0.0.1:9092,10.0.0.2:9092"\n');
    expect(loadConfig({ DECNET_CONFIG: env }).kafkaBrokers).toEqual(['10.0.0.1:9092', '10.0.0.2:9092']);
  });
  it('names DECNET_CONFIG when the file is missing or malformed', () => {
    expect(errorsOf(() => loadConfig({ DECNET_CONFIG: '/nonexistent/decnet.json' }))[0]).toMatch(/^DECNET_CONFIG: expected a readable file/);
    const dir = mkdtempSync(join(tmpdir(), 'decnet-config-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{ not json');
    expect(errorsOf(() => loadConfig({ DECNET_CONFIG: bad }))[0]).toMatch(/^DECNET_CONFIG: expected valid JSON/);
  });
  it('redacts passwords in URLs', () => {
    expect(redactUrl('postgres://u:secret@db:5432/x')).toBe('postgres://u:***@db:5432/x');
  });
});
