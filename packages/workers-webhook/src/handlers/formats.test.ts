// Body formats: the generic envelope, Slack and Discord messages with attacker text escaped,
// and the format chosen by the URL fragment or by Slack/Discord hosts.
import { describe, expect, it } from 'vitest';
import { discordBody, formatOf, jsonBody, slackBody, withFormat, type DeliveryEvent } from './formats.js';

const event: DeliveryEvent = {
  id: 'e-1',
  topic: 'attacker.observed',
  type: 'observed',
  ts: 1_777_700_000.5,
  payload: { attacker_ip: '198.51.100.7', service: 'http', path: '<!channel> @everyone *bold* <http://evil|click>' },
};

describe('the generic body is upstream\'s envelope with an ISO timestamp', () => {
  it('has sorted keys, v:1 and the payload', () => {
    const body = jsonBody(event);
    expect(body.startsWith('{"id":"e-1","payload":{"attacker_ip"')).toBe(true);
    expect(JSON.parse(body)).toEqual({ id: 'e-1', topic: 'attacker.observed', type: 'observed', v: 1, ts: '2026-05-02T05:33:20.500Z', payload: event.payload });
  });
});

describe('chat formats escape attacker-controlled text', () => {
  it('Slack: no raw <, > or & reaches mrkdwn', () => {
    const { text } = JSON.parse(slackBody(event)) as { text: string };
    expect(text).toContain('attacker.observed');
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

describe('the format comes from the URL', () => {
  it('recognises Slack and Discord webhook URLs, defaults to JSON', () => {
    expect(formatOf(new URL('https://hooks.slack.com/services/T/B/X'))).toBe('slack');
    expect(formatOf(new URL('https://discord.com/api/webhooks/1/abc'))).toBe('discord');
    expect(formatOf(new URL('https://discordapp.com/api/webhooks/1/abc'))).toBe('discord');
    expect(formatOf(new URL('https://discord.com/channels/1'))).toBe('json');
    expect(formatOf(new URL('https://siem.example.com/hook'))).toBe('json');
  });

  it('records an explicit format in the fragment, which is never sent', () => {
    const url = withFormat(new URL('https://relay.example.com/slack-proxy'), 'slack');
    expect(url.href).toBe('https://relay.example.com/slack-proxy#format=slack');
    expect(formatOf(url)).toBe('slack');
    expect(withFormat(new URL('https://hooks.slack.com/services/T/B/X'), 'slack').hash).toBe('');
    expect(formatOf(withFormat(new URL('https://hooks.slack.com/services/T/B/X'), 'json'))).toBe('json');
  });
});
