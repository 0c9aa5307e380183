// The pure part of one TCP syslog connection: bytes in, line outcomes out. Framing is detected
// per frame (octet counting or newline); when it is lost the caller must close the connection.
import { createSyslogStreamDecoder, type FrameDecoder, type FrameErrorCode, type FrameEvent } from '@decnet/syslog';
import type { LineOutcome, LineProcessor } from './line-processor.js';

/** What one `feed` produced. */
export interface FeedResult {
  readonly outcomes: LineOutcome[];
  /** Framing errors seen, in order. */
  readonly errors: FrameErrorCode[];
  /** True when framing is lost: close the connection (the lines before the fault are kept). */
  readonly close: boolean;
}

/**
 * One connection's decoder and line numbering. Each frame becomes a line at position
 * `<frame number>` of stream `source`, so ids are unique per connection and stable for a retry.
 */
export class ConnectionSession {
  private readonly decoder: FrameDecoder;
  private frames = 0;

  constructor(
    private readonly processor: LineProcessor,
    private readonly source: string,
    maxFrameBytes: number,
  ) {
    this.decoder = createSyslogStreamDecoder({ maxFrameBytes });
  }

  /** Frames seen so far. */
  get frameCount(): number {
    return this.frames;
  }

  /** Feeds received bytes. Never throws. */
  feed(chunk: Uint8Array): FeedResult {
    return this.handle(this.decoder.push(chunk));
  }

  /** The peer closed its side: delivers a final unterminated newline-framed line. Never throws. */
  end(): FeedResult {
    return this.handle(this.decoder.end());
  }

  private handle(events: FrameEvent[]): FeedResult {
    const outcomes: LineOutcome[] = [];
    const errors: FrameErrorCode[] = [];
    let close = false;
    for (const event of events) {
      if (event.type === 'error') {
        errors.push(event.code);
        if (event.fatal) close = true;
        continue;
      }
      const position = this.frames++;
      outcomes.push(this.processor.process(event.bytes, 'tcp', this.source, position));
    }
    return { outcomes, errors, close: close || this.decoder.failed };
  }
}
