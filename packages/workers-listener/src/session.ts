// One authenticated connection: bytes in, events out, acknowledgements back. Plain RFC 5425
// senders get frames numbered per connection and no acks; a forwarder that negotiated the ack
// protocol sends `L <stream> <offset> <line>` frames and is told, cumulatively, how many of
// them are durable (published, or deliberately skipped as malformed) so it may advance.
import { decodeLinkMessage, encodeAckFrame } from '@decnet/pki';
import { createOctetCountingDecoder, type FrameDecoder, type FrameEvent } from '@decnet/syslog';
import { forwardedSource, plainSource } from './event-id.js';
import { processLine, type PublishItem } from './record.js';

/** Outcome of one publish: durable, refused for good (skip it), or abandoned because the worker stops. */
export type PublishResult = 'ok' | 'rejected' | 'aborted';

/** Why the listener closed a connection. */
export type CloseReason = 'oversized' | 'garbage' | 'protocol' | 'aborted' | 'stopping';

/** Counters shared by every connection of a listener (reported in health). */
export interface ListenerCounters {
  /** Connections whose certificate identified a sender. */
  connections: number;
  /** Of those, connections that negotiated acknowledgements. */
  ackedConnections: number;
  /** Handshakes that failed (unknown CA, old TLS, no certificate, timeout). */
  refusedTls: number;
  /** Verified certificates without a usable CN (none, several, or not a host name). */
  refusedIdentity: number;
  frames: number;
  published: number;
  /** Lines that are not RFC 5424, counted and skipped. */
  malformed: number;
  empty: number;
  /** Events the bus refused for good (e.g. too large), counted and skipped. */
  rejected: number;
  /** Frames over the size cap (the connection is closed). */
  oversized: number;
  /** Connections whose framing or link messages were garbage (closed). */
  garbage: number;
  /** Connections that ended inside a frame. */
  truncated: number;
  idleTimeouts: number;
  acksSent: number;
}

/** Zeroed counters. */
export function emptyCounters(): ListenerCounters {
  return {
    connections: 0,
    ackedConnections: 0,
    refusedTls: 0,
    refusedIdentity: 0,
    frames: 0,
    published: 0,
    malformed: 0,
    empty: 0,
    rejected: 0,
    oversized: 0,
    garbage: 0,
    truncated: 0,
    idleTimeouts: 0,
    acksSent: 0,
  };
}

/** What a session may do to its connection. */
export interface SessionIo {
  write(bytes: Uint8Array): void;
  /** Destroys the connection; nothing more is read or written. */
  close(reason: CloseReason): void;
  /** Stops reading (too many publishes outstanding). */
  pause(): void;
  resume(): void;
}

/** Everything a session needs. */
export interface SessionOptions {
  /** The sender's certificate CN. */
  readonly peer: string;
  /** True when the acknowledged link protocol was negotiated (ALPN). */
  readonly acked: boolean;
  /** Unique per connection; numbers the frames of plain senders. */
  readonly connectionId: string;
  readonly maxFrameBytes: number;
  /** Publishes outstanding before reading pauses; reading resumes below half. */
  readonly maxInflight: number;
  readonly publish: (item: PublishItem) => Promise<PublishResult>;
  readonly counters: ListenerCounters;
  readonly now: () => number;
  /** Told about each malformed line (for rate-limited logging). */
  readonly onMalformed?: (code: string) => void;
  /** Told about each published event (progress). */
  readonly onPublished?: () => void;
}

/** The protocol state of one connection. Never throws on input. */
export class LinkSession {
  private readonly decoder: FrameDecoder;
  /** Frames of this connection, in arrival order (the ack count for acked senders). */
  private received = 0;
  /** Every frame below this number is durable. */
  private watermark = 0;
  /** Durable frames above the watermark (publishes may settle out of order). */
  private readonly ahead = new Set<number>();
  private ackSent = 0;
  private ackScheduled = false;
  private inflight = 0;
  private paused = false;
  private draining = false;
  private closed = false;
  private idleWaiters: (() => void)[] = [];
  /** The stream of a plain sender's frames: one per connection. */
  private readonly plainStream: string;

  constructor(
    private readonly options: SessionOptions,
    private readonly io: SessionIo,
  ) {
    this.decoder = createOctetCountingDecoder({ maxFrameBytes: options.maxFrameBytes });
    this.plainStream = plainSource(options.peer, options.connectionId);
  }

  /** Publishes not yet settled. */
  get pending(): number {
    return this.inflight;
  }

  /** Frames acknowledged to the sender so far. */
  get acknowledged(): number {
    return this.ackSent;
  }

  /** Feeds received bytes. */
  push(chunk: Uint8Array): void {
    if (this.closed) return;
    this.handle(this.decoder.push(chunk));
  }

  /** The sender closed its side. */
  end(): void {
    if (this.closed) return;
    this.handle(this.decoder.end());
  }

  /** Stops reading, waits (up to `timeoutMs`) for outstanding publishes, sends the last ack, closes. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.closed) return;
    this.draining = true;
    this.io.pause();
    this.paused = true;
    if (this.inflight > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    }
    this.flushAck();
    this.close('stopping');
  }

  /** Marks the session dead without touching the connection (it already closed). */
  detach(): void {
    this.closed = true;
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private close(reason: CloseReason): void {
    if (this.closed) return;
    this.closed = true;
    this.io.close(reason);
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private handle(events: FrameEvent[]): void {
    const { counters } = this.options;
    for (const event of events) {
      if (this.closed) return;
      if (event.type === 'error') {
        if (event.code === 'frame_too_large') {
          counters.oversized++;
          this.close('oversized');
        } else if (event.code === 'truncated_frame') {
          counters.truncated++;
        } else {
          counters.garbage++;
          this.close('garbage');
        }
        continue;
      }
      counters.frames++;
      this.frame(event.bytes);
    }
  }

  private frame(bytes: Uint8Array): void {
    const { counters, peer, acked } = this.options;
    const seq = this.received++;
    let outcome;
    if (acked) {
      const message = decodeLinkMessage(bytes);
      if (message.type !== 'line') {
        counters.garbage++;
        this.close('protocol');
        return;
      }
      outcome = processLine(message.line, peer, forwardedSource(peer, message.stream), message.offset, this.options.now());
    } else {
      outcome = processLine(bytes, peer, this.plainStream, seq, this.options.now());
    }
    if (outcome.type === 'empty') {
      counters.empty++;
      this.settle(seq);
      return;
    }
    if (outcome.type === 'malformed') {
      counters.malformed++;
      this.options.onMalformed?.(outcome.code);
      this.settle(seq);
      return;
    }
    this.inflight++;
    if (!this.paused && this.inflight >= this.options.maxInflight) {
      this.paused = true;
      this.io.pause();
    }
    this.options.publish(outcome.item).then(
      (result) => this.published(seq, result),
      () => this.published(seq, 'aborted'),
    );
  }

  private published(seq: number, result: PublishResult): void {
    this.inflight--;
    const { counters } = this.options;
    if (result === 'ok') {
      counters.published++;
      this.options.onPublished?.();
      this.settle(seq);
    } else if (result === 'rejected') {
      counters.rejected++;
      this.settle(seq);
    } else {
      // Never acknowledge what is not durable: the sender resends it after reconnecting.
      this.close('aborted');
    }
    if (this.inflight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    if (this.paused && !this.draining && !this.closed && this.inflight < Math.max(1, this.options.maxInflight / 2)) {
      this.paused = false;
      this.io.resume();
    }
  }

  private settle(seq: number): void {
    if (seq !== this.watermark) {
      this.ahead.add(seq);
      return;
    }
    this.watermark++;
    while (this.ahead.delete(this.watermark)) this.watermark++;
    if (this.options.acked && !this.ackScheduled) {
      // One ack per turn of the event loop covers every frame settled in it.
      this.ackScheduled = true;
      setImmediate(() => {
        this.ackScheduled = false;
        this.flushAck();
      });
    }
  }

  private flushAck(): void {
    if (!this.options.acked || this.closed || this.watermark === this.ackSent) return;
    this.ackSent = this.watermark;
    this.options.counters.acksSent++;
    this.io.write(encodeAckFrame(this.watermark));
  }
}
