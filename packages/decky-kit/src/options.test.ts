import { describe, expect, it } from 'vitest';
import { ServiceConfigError } from './errors.js';
import { COMMON_FIELDS, DEFAULT_IDLE_TIMEOUT_S, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_PER_IP, envField, matchesCredential, readOptions } from './options.js';

describe('options are read from the environment with every problem reported at once', () => {
  const fields = {
    port: envField.port('X_PORT', 'port', 21),
    banner: envField.string('X_BANNER', 'banner', 'hello', { maxLength: 10 }),
    mode: envField.enum('X_MODE', 'mode', ['a', 'b'], 'a'),
    on: envField.bool('X_ON', 'flag', false),
    accept: envField.credentials('X_ACCEPT', 'logins'),
  };

  it('applies defaults for unset and empty variables', () => {
    expect(readOptions('x', fields, { X_BANNER: '' })).toEqual({ port: 21, banner: 'hello', mode: 'a', on: false, accept: [] });
  });

  it('parses set values', () => {
    expect(readOptions('x', fields, { X_PORT: '2121', X_MODE: 'b', X_ON: 'yes', X_ACCEPT: 'root:123456,admin:a:b, ,ftp:*' })).toEqual({
      port: 2121,
      banner: 'hello',
      mode: 'b',
      on: true,
      accept: [
        { username: 'root', password: '123456' },
        { username: 'admin', password: 'a:b' },
        { username: 'ftp', password: '*' },
      ],
    });
  });

  it('collects every invalid variable into one ServiceConfigError', () => {
    let err: unknown;
    try {
      readOptions('x', fields, { X_PORT: '70000', X_BANNER: 'far too long a banner', X_MODE: 'c', X_ON: 'maybe', X_ACCEPT: 'nocolon' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ServiceConfigError);
    const issues = (err as ServiceConfigError).issues;
    expect(issues.map((i) => i.key)).toEqual(['X_PORT', 'X_BANNER', 'X_MODE', 'X_ON', 'X_ACCEPT']);
    expect(issues[0]?.message).toBe('must be at most 65535');
    expect(issues[2]?.message).toBe('must be one of a|b');
    expect((err as Error).message).toContain('X_PORT: must be at most 65535');
  });

  it('never echoes a secret value in an error', () => {
    const secretField = { pw: envField.string('X_PW', 'password', undefined, { maxLength: 3, secret: true }) };
    try {
      readOptions('x', secretField, { X_PW: 'hunter2hunter2' });
    } catch (e) {
      expect((e as Error).message).not.toContain('hunter2');
    }
  });

  it('rejects non-integers for integer fields', () => {
    expect(() => readOptions('x', fields, { X_PORT: '21abc' })).toThrow(/X_PORT: expected an integer between 0 and 65535/);
  });
});

describe('common options document their defaults once', () => {
  it('reads the documented defaults', () => {
    const common = readOptions('x', COMMON_FIELDS, { NODE_NAME: 'decky-01' });
    expect(common).toMatchObject({
      decky: 'decky-01',
      hostname: undefined,
      logTarget: undefined,
      bind: '0.0.0.0',
      maxConnections: DEFAULT_MAX_CONNECTIONS,
      maxPerIp: DEFAULT_MAX_PER_IP,
      idleTimeoutS: DEFAULT_IDLE_TIMEOUT_S,
      logLevel: 'info',
    });
    expect(COMMON_FIELDS.maxConnections.defaultText).toBe(String(DEFAULT_MAX_CONNECTIONS));
  });

  it('refuses a decky name RFC 5424 cannot carry and a malformed LOG_TARGET', () => {
    expect(() => readOptions('x', COMMON_FIELDS, { NODE_NAME: 'has space', LOG_TARGET: 'nowhere' })).toThrow(/NODE_NAME[\s\S]*LOG_TARGET/);
  });
});

describe('matchesCredential', () => {
  it('matches exact pairs and * wildcards only', () => {
    const pairs = [
      { username: 'root', password: '123456' },
      { username: 'ftp', password: '*' },
    ];
    expect(matchesCredential(pairs, 'root', '123456')).toBe(true);
    expect(matchesCredential(pairs, 'root', '1234567')).toBe(false);
    expect(matchesCredential(pairs, 'ftp', 'anything')).toBe(true);
    expect(matchesCredential(pairs, 'admin', '*')).toBe(false);
  });
});
