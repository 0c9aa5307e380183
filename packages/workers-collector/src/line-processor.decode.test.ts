// Stored text is the emitter's original: the collector undoes @decnet/syslog's event escaping
// for params and MSG, and keeps the line itself as received.
import { type LogEventPayload } from '@decnet/core';
import { formatEventLine } from '@decnet/syslog';
import { describe, expect, it } from 'vitest';
import { LineProcessor } from './line-processor.js';
import { COLLECTOR_DEFAULTS } from './options.js';

describe('the collector publishes decoded params and MSG', () => {
  it('gives back line breaks, separators, C1 controls and backslashes exactly as the decoy saw them', () => {
    const p = new LineProcessor(COLLECTOR_DEFAULTS, { monotonic: () => 0, wall: () => 0 });
    const cmd = 'echo "a\\nb"\r\nrm -rf /\u2028\x85\x9b[2J';
    const line = formatEventLine({ timestamp: new Date(0), hostname: 'd1', service: 'ssh', eventType: 'command', fields: { cmd, src_ip: '203.0.113.5' }, msg: 'm\nx' });
    const outcome = p.process(new TextEncoder().encode(line), 'file', 'f', 0);
    if (outcome.type !== 'publish') throw new Error(outcome.type);
    const payload = outcome.items[0]?.payload as LogEventPayload;
    expect(payload.fields['cmd']).toBe(cmd);
    expect(payload.msg).toBe('m\nx');
    expect(payload.raw_line).toBe(line);
    expect(payload.attacker_ip).toBe('203.0.113.5');
  });
});
