// A subscription is checked before it is stored: upstream's limits, a generated secret, the
// format kept in the URL fragment.
import { describe, expect, it } from 'vitest';
import { InvalidSubscriptionError } from '../errors.js';
import { normaliseSubscription } from './subscription.js';

describe('subscriptions are normalised or refused with the field named', () => {
  it('generates a secret when none is given and warns about plain http', () => {
    const s = normaliseSubscription({ name: ' siem ', url: 'http://siem.example.com/hook', patterns: ['attacker.>'] });
    expect(s).toMatchObject({ name: 'siem', url: 'http://siem.example.com/hook', patterns: ['attacker.>'], secretGenerated: true, warnings: ['insecure_url'] });
    expect(s.secret).toHaveLength(43);
  });

  it('keeps a given secret and records an explicit format', () => {
    const s = normaliseSubscription({ name: 'chat', url: 'https://relay.example.com/x', secret: 's'.repeat(16), presets: ['SystemStatus'], format: 'discord' });
    expect(s).toMatchObject({ url: 'https://relay.example.com/x#format=discord', secret: 's'.repeat(16), secretGenerated: false, patterns: ['system.>'], warnings: [] });
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
