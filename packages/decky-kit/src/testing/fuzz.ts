// fast-check arbitraries for protocol fuzzing: a real client exchange, mutated line by line
// (bit flips, inserted garbage, truncation, duplication, huge lines, raw binary), then cut into
// random chunks, so a machine meets both near-valid and hostile input at every split.
import fc from 'fast-check';

/** One mutation applied to a line of a real exchange. */
const mutateLine = (line: string | Uint8Array): fc.Arbitrary<Uint8Array> => {
  const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : Buffer.from(line);
  return fc.oneof(
    { weight: 4, arbitrary: fc.constant(new Uint8Array(bytes)) },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })).map(([at, value]) => {
        const copy = new Uint8Array(bytes.length > 0 ? bytes : [0]);
        copy[at % copy.length] = value;
        return copy;
      }),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 32 })).map(([at, junk]) => {
        const cut = bytes.length === 0 ? 0 : at % bytes.length;
        return new Uint8Array(Buffer.concat([bytes.subarray(0, cut), junk, bytes.subarray(cut)]));
      }),
    },
    { weight: 1, arbitrary: fc.nat().map((n) => new Uint8Array(bytes.subarray(0, bytes.length === 0 ? 0 : n % bytes.length))) },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
    { weight: 1, arbitrary: fc.integer({ min: 1, max: 20_000 }).map((n) => new Uint8Array(Buffer.concat([bytes, Buffer.alloc(n, 0x41)]))) },
    { weight: 1, arbitrary: fc.constant(new Uint8Array(Buffer.from(bytes.toString('latin1').toLowerCase(), 'latin1'))) },
  );
};

/** Line terminators real and broken clients send. */
const terminator = fc.constantFrom('\r\n', '\n', '\r\n', '\r\0', '');

/**
 * A real exchange (one client line per entry, text or raw bytes) mutated and re-framed: lines may be mutated,
 * dropped, duplicated or reordered, and the result is cut into 1..N random chunks.
 */
export function mutatedExchange(lines: readonly (string | Uint8Array)[], options: { maxExtraLines?: number } = {}): fc.Arbitrary<Uint8Array[]> {
  const perLine = lines.map((l) => fc.tuple(mutateLine(l), terminator, fc.integer({ min: 0, max: 9 })));
  return fc
    .tuple(fc.tuple(...perLine), fc.array(fc.tuple(fc.uint8Array({ maxLength: 128 }), terminator), { maxLength: options.maxExtraLines ?? 4 }), fc.array(fc.nat(), { maxLength: 12 }))
    .map(([mutated, extra, cuts]) => {
      const parts: Buffer[] = [];
      for (const [bytes, end, roll] of mutated) {
        if (roll === 0) continue;
        const once = Buffer.concat([Buffer.from(bytes), Buffer.from(end)]);
        parts.push(once);
        if (roll === 9) parts.push(once);
      }
      for (const [bytes, end] of extra) parts.push(Buffer.concat([Buffer.from(bytes), Buffer.from(end)]));
      const whole = Buffer.concat(parts);
      const points = [...new Set(cuts.map((c) => (whole.length === 0 ? 0 : c % whole.length)))].sort((a, b) => a - b);
      const chunks: Uint8Array[] = [];
      let last = 0;
      for (const p of points) {
        chunks.push(new Uint8Array(whole.subarray(last, p)));
        last = p;
      }
      chunks.push(new Uint8Array(whole.subarray(last)));
      return chunks;
    });
}

/** Number of fast-check runs for protocol fuzz suites: enough to find framing bugs, bounded for a 2-core CI. */
export const FUZZ_RUNS = 300;
