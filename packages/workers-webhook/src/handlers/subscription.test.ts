// A subscription is checked before it is stored: upstream's limits, a generated secret, the
// format named, taken from a legacy URL fragment, or implied by the URL.
import { describe, expect, it } from 'vitest';
import { InvalidSubscriptionError } from '../errors.js';
import { normaliseSubscription } from './subscription.js';
import { rootPattern } from '@decnet/core';

describe('subscriptions are normalised or refused with the field named', () => {
  it('generates a secret when none is given and warns about plain http', () => {
    const s = normaliseSubscription({ name: ' siem ', url: 'http://siem.example.com/hook', patterns: [rootPattern('attacker')] });
    expect(s).toMatchObject({ name: 'siem', url: 'http://siem.example.com/hook', patterns: [rootPattern('attacker')], secretGenerated: true, warnings: ['insecure_url'] });
    expect(s.secret).toHaveLength(43);
  });

  it('keeps a given secret and an explicit format, leaving the URL alone', () => {
    const s = normaliseSubscription({ name: 'chat', url: 'https://relay.example.com/x', secret: 's'.repeat(16), presets: ['SystemStatus'], format: 'discord' });
    expect(s).toMatchObject({ url: 'https://relay.example.com/x', format: 'discord', secret: 's'.repeat(16), secretGenerated: false, patterns: [rootPattern('system')], warnings: [] });
  });

  it('without a format: json, or slack/discord for their webhook URLs', () => {
    const of = (url: string, format?: string) => normaliseSubscription({ name: 'n', url, patterns: ['a.b'], ...(format ? { format } : {}) });
    expect(of('https://siem.example.com/hook').format).toBe('json');
    expect(of('https://hooks.slack.com/services/T/B/X').format).toBe('slack');
    expect(of('https://discord.com/api/webhooks/1/abc').format).toBe('discord');
    // A named format wins over the host.
    expect(of('https://hooks.slack.com/services/T/B/X', 'json').format).toBe('json');
  });

  it('takes a legacy #format= out of the URL into the format', () => {
    const of = (url: string, format?: string) => normaliseSubscription({ name: 'n', url, patterns: ['a.b'], ...(format ? { format } : {}) });
    expect(of('https://relay.example.com/x#format=slack')).toMatchObject({ url: 'https://relay.example.com/x', format: 'slack' });
    expect(of('https://relay.example.com/x#keep=1&format=discord', 'discord')).toMatchObject({ url: 'https://relay.example.com/x#keep=1', format: 'discord' });
    expect(of('https://relay.example.com/x#section')).toMatchObject({ url: 'https://relay.example.com/x#section', format: 'json' });
    expect(() => of('https://relay.example.com/x#format=slack', 'discord')).toThrow('invalid format: "discord" disagrees with the URL fragment\'s "slack"');
    expect(() => of('https://relay.example.com/x#format=xml')).toThrow(/"xml" \(from the URL fragment\) is not one of json, slack, discord/);
  });

  it('names the valid formats when refusing one', () => {
    expect(() => normaliseSubscription({ name: 'n', url: 'https://a.example/', patterns: ['a.b'], format: 'xml' })).toThrow(
      'invalid format: "xml" is not one of json, slack, discord',
    );
  });

  it.each([
    [{ name: '', url: 'https://a.example/', patterns: ['a.b'] }, 'name'],
    [{ name: 'x'.repeat(65), url: 'https://a.example/', patterns: ['a.b'] }, 'name'],
    [{ name: 'n', url: 'gopher://a.example/', patterns: ['a.b'] }, 'url'],
    [{ name: 'n', url: 'https://a.example/', secret: 'short', patterns: ['a.b'] }, 'secret'],
    [{ name: 'n', url: 'https://a.example/', patterns: ['a.>.b'] }, 'patterns'],
    [{ name: 'n', url: 'https://a.example/', patterns: ['a.b'], format: 'xml' }, 'format'],
  ])('refuses %j (%s)', (input, field) => {
    expect(() => normaliseSubscription(input)).toThrow(InvalidSubscriptionError);
    try {
      normaliseSubscription(input);
    } catch (err) {
      expect((err as InvalidSubscriptionError).field).toBe(field);
    }
  });
});
