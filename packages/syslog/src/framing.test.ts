// Stream framing: octet counting (RFC 5425/6587), newline framing (RFC 6587), the per-frame
// auto-detector, size caps and the fatal/non-fatal split of framing errors.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  createNewlineDecoder,
  createOctetCountingDecoder,
  createSyslogStreamDecoder,
  encodeOctetCounted,
  type FrameDecoder,
  type FrameEvent,
} from './framing.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const golden = JSON.parse(readFileSync(new URL('./fixtures/golden-lines.json', import.meta.url), 'utf8')) as {
  frames: { name: string; payload: string; frame: string }[];
};

/** Frames as text, errors as `!code` or `!!code` when fatal. */
function summarise(events: FrameEvent[]): string[] {
  return events.map((e) => (e.type === 'frame' ? dec.decode(e.bytes) : `${e.fatal ? '!!' : '!'}${e.code}`));
}

function feed(decoder: FrameDecoder, ...chunks: string[]): string[] {
  return summarise(chunks.flatMap((chunk) => decoder.push(enc.encode(chunk))));
}

describe('octet-counted frames carry their byte length', () => {
  it.each(golden.frames)('$name', ({ payload, frame }) => {
    expect(dec.decode(encodeOctetCounted(payload))).toBe(frame);
    expect(feed(createOctetCountingDecoder(), frame)).toEqual([payload]);
  });

  it('counts bytes, not characters', () => {
    const frame = encodeOctetCounted('é☃');
    expect(dec.decode(frame)).toBe('5 é☃');
    expect(summarise(createOctetCountingDecoder().push(frame))).toEqual(['é☃']);
  });

  it('decodes back-to-back frames split anywhere, even inside the length', () => {
    const d = createOctetCountingDecoder();
    expect(feed(d, '5 hel', 'lo1', '1 hello world', '3 a\nb2 ', 'zz')).toEqual(['hello', 'hello world', 'a\nb', 'zz']);
    expect(d.buffered).toBe(0);
  });

  it('skips zero-length frames and LF, CR or NUL between frames', () => {
    expect(feed(createOctetCountingDecoder(), '0 2 ab\r\n\x002 cd\n')).toEqual(['ab', 'cd']);
  });

  it('discards a frame over the cap and carries on with the next one', () => {
    expect(feed(createOctetCountingDecoder({ maxFrameBytes: 4 }), '6 abc', 'def4 wxyz')).toEqual([
      '!frame_too_large',
      'wxyz',
    ]);
  });

  it('reports the declared size of an oversized frame', () => {
    const [event] = createOctetCountingDecoder({ maxFrameBytes: 4 }).push(enc.encode('9999 x'));
    expect(event).toMatchObject({ type: 'error', code: 'frame_too_large', fatal: false, size: 9999 });
  });

  it.each([
    ['a non-digit first byte', '<13>1 - - - - - -'],
    ['a non-space after the digits', '12x'],
    ['more than 10 digits', '12345678901 '],
  ])('fails fatally on %s and then accepts nothing', (_what, stream) => {
    const d = createOctetCountingDecoder();
    expect(feed(d, stream)).toEqual(['!!bad_length']);
    expect(d.failed).toBe(true);
    expect(feed(d, '2 ok')).toEqual([]);
  });

  it('reports a stream that ends inside a frame', () => {
    const d = createOctetCountingDecoder();
    feed(d, '10 abc');
    expect(summarise(d.end())).toEqual(['!truncated_frame']);
    expect(feed(d, '2 ok')).toEqual(['ok']);
  });

  it('copies retained bytes so the caller may reuse its buffer', () => {
    const d = createOctetCountingDecoder();
    const buffer = enc.encode('6 abc');
    d.push(buffer);
    buffer.fill(0x21);
    expect(summarise(d.push(enc.encode('def')))).toEqual(['abcdef']);
  });
});

describe('newline framing ends frames at LF', () => {
  it('strips one CR, skips empty lines and splits across chunks', () => {
    expect(feed(createNewlineDecoder(), '<1>a\r\n\n<2>b', '\n<3>', 'c\r', '\n')).toEqual(['<1>a', '<2>b', '<3>c']);
  });

  it('treats NUL as a delimiter unless told not to', () => {
    expect(feed(createNewlineDecoder(), 'a\0b\n')).toEqual(['a', 'b']);
    expect(feed(createNewlineDecoder({ nulDelimiter: false }), 'a\0b\n')).toEqual(['a\0b']);
  });

  it('finds NUL and LF correctly in a chunk holding many lines', () => {
    const stream = Array.from({ length: 50 }, (_, i) => `line${i}`).join('\n') + '\0tail\n';
    const frames = feed(createNewlineDecoder(), stream);
    expect(frames).toHaveLength(51);
    expect(frames.at(-2)).toBe('line49');
    expect(frames.at(-1)).toBe('tail');
  });

  it('discards an over-long line up to its LF and keeps the next line', () => {
    const d = createNewlineDecoder({ maxFrameBytes: 5 });
    expect(feed(d, 'abcd', 'efgh', 'ijk\nok\n')).toEqual(['!frame_too_large', 'ok']);
    expect(d.failed).toBe(false);
  });

  it('accepts a line of exactly the cap', () => {
    expect(feed(createNewlineDecoder({ maxFrameBytes: 5 }), 'abcde\n')).toEqual(['abcde']);
  });

  it('delivers an unterminated last line at end of stream', () => {
    const d = createNewlineDecoder();
    expect(feed(d, 'a\nlast')).toEqual(['a']);
    expect(d.buffered).toBe(4);
    expect(summarise(d.end())).toEqual(['last']);
    expect(d.end()).toEqual([]);
  });
});

describe('the auto-detecting decoder chooses the framing per frame', () => {
  it('reads octet-counted frames and newline lines interleaved', () => {
    const line = '<13>1 - h a - - - x';
    const stream = `${line.length} ${line}${line}\n\n${line.length} ${line}`;
    const d = createSyslogStreamDecoder();
    const events = d.push(enc.encode(stream));
    expect(summarise(events)).toEqual([line, line, line]);
    expect(events.map((e) => (e.type === 'frame' ? e.framing : e.code))).toEqual([
      'octet-counting',
      'newline',
      'octet-counting',
    ]);
  });

  it('fails fatally when a frame starts with digits that are not a length', () => {
    expect(feed(createSyslogStreamDecoder(), '12abc\n')).toEqual(['!!bad_length']);
  });

  it('frames text that is neither as a line, for the parser to reject', () => {
    expect(feed(createSyslogStreamDecoder(), 'garbage\n')).toEqual(['garbage']);
  });
});
