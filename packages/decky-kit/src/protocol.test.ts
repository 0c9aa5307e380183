import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StepBuilder, createLineSplitter } from './protocol.js';

describe('the line splitter never buffers more than its cap', () => {
  it('splits CRLF and bare LF lines across chunk boundaries', () => {
    const s = createLineSplitter(100);
    expect(s.push(Buffer.from('USER ro')).lines).toEqual([]);
    const r = s.push(Buffer.from('ot\r\nPASS x\nQU'));
    expect(r.lines.map(String)).toEqual(['USER root', 'PASS x']);
    expect(s.pending).toBe(2);
  });

  it('counts an overlong line as an overflow and resumes at the next line', () => {
    const s = createLineSplitter(8);
    const a = s.push(Buffer.from('AAAAAAAAAAAAAAAA'));
    expect(a.overflows).toBe(1);
    expect(s.pending).toBe(0);
    const b = s.push(Buffer.from('AAAA\r\nNOOP\r\n'));
    expect(b.lines.map(String)).toEqual(['NOOP']);
  });

  it('holds at most maxLineBytes for any input split', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 30 }), (chunks) => {
        const s = createLineSplitter(64);
        for (const c of chunks) {
          const r = s.push(c);
          for (const l of r.lines) expect(l.length).toBeLessThanOrEqual(64);
          expect(s.pending).toBeLessThanOrEqual(64);
        }
      }),
    );
  });
});

describe('StepBuilder', () => {
  it('builds a step with replies, events, actions and close in order', () => {
    const step = new StepBuilder<string, { kind: 'x' }>().reply('a').event('e', { k: 1 }).action({ kind: 'x' }).close().build();
    expect(step).toEqual({ replies: ['a'], events: [{ type: 'e', fields: { k: 1 } }], close: true, actions: [{ kind: 'x' }] });
  });
});
