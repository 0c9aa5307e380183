// Body formats: the generic envelope, Slack and Discord messages with attacker text escaped,
// the format implied by Slack/Discord hosts, and the legacy URL fragment taken apart.
import { describe, expect, it } from 'vitest';
import { discordBody, inferFormat, isWebhookFormat, jsonBody, slackBody, takeFormatFragment, type DeliveryEvent } from './formats.js';
import { EVENTS } from '@decnet/core';

const event: DeliveryEvent = {
  id: 'e-1',
  topic: EVENTS.attackerObserved.subject,
  type: 'observed',
  ts: 1_777_700_000.5,
  payload: { attacker_ip: '198.51.100.7', service: 'http', path: '<!channel> @everyone *bold* <http://evil|click>' },
};

describe('the generic body is upstream\'s envelope with an ISO timestamp', () => {
  it('has sorted keys, v:1 and the payload', () => {
    const body = jsonBody(event);
    expect(body.startsWith('{"id":"e-1","payload":{"attacker_ip"')).toBe(true);
    expect(JSON.parse(body)).toEqual({ id: 'e-1', topic: EVENTS.attackerObserved.subject, type: 'observed', v: 1, ts: '2026-05-02T05:33:20.500Z', payload: event.payload });
  });
});

describe('chat formats escape attacker-controlled text', () => {
  it('Slack: no raw <, > or & reaches mrkdwn', () => {
    const { text } = JSON.parse(slackBody(event)) as { text: string };
    expect(text).toContain(EVENTS.attackerObserved.subject);
    expect(text).toContain('&lt;!channel&gt;');
    expect(text).not.toMatch(/<!channel>|<http/);
  });

  it('Discord: mentions disabled and markdown escaped', () => {
    const body = JSON.parse(discordBody(event)) as { content: string; allowed_mentions: unknown };
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.content).toContain('\\*bold\\*');
    expect(body.content).not.toContain('@everyone');
    expect(body.content.length).toBeLessThanOrEqual(2000);
  });

  it('caps long payloads', () => {
    const big = { ...event, payload: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, 'x'.repeat(5000)])) };
    expect((JSON.parse(discordBody(big)) as { content: string }).content.length).toBeLessThanOrEqual(2000);
    expect((JSON.parse(slackBody(big)) as { text: string }).text).toContain('more fields');
  });
});

describe('a format an operator does not name comes from the URL', () => {
  it('recognises Slack and Discord webhook URLs, defaults to JSON', () => {
    expect(inferFormat(new URL('https://hooks.slack.com/services/T/B/X'))).toBe('slack');
    expect(inferFormat(new URL('https://discord.com/api/webhooks/1/abc'))).toBe('discord');
    expect(inferFormat(new URL('https://discordapp.com/api/webhooks/1/abc'))).toBe('discord');
    expect(inferFormat(new URL('https://ptb.discord.com/api/webhooks/1/abc'))).toBe('discord');
    expect(inferFormat(new URL('https://discord.com/channels/1'))).toBe('json');
    expect(inferFormat(new URL('https://siem.example.com/hook'))).toBe('json');
  });

  it('takes the legacy #format= out of a URL, keeping other fragment parameters', () => {
    expect(takeFormatFragment(new URL('https://relay.example.com/p#format=slack'))).toEqual({ url: new URL('https://relay.example.com/p'), format: 'slack' });
    expect(takeFormatFragment(new URL('https://relay.example.com/p#a=1&format=xml&format=json')).url.href).toBe('https://relay.example.com/p#a=1');
    expect(takeFormatFragment(new URL('https://relay.example.com/p#a=1&format=xml')).format).toBe('xml');
    expect(takeFormatFragment(new URL('https://relay.example.com/p#top'))).toEqual({ url: new URL('https://relay.example.com/p#top'), format: undefined });
    expect(isWebhookFormat('discord')).toBe(true);
    expect(isWebhookFormat('xml')).toBe(false);
  });
});
