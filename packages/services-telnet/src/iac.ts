// Telnet option negotiation (RFC 854/855), minimal and robust: a byte-at-a-time parser that
// separates data from IAC commands, answers each option request at most once per state change
// (so two stubborn peers cannot loop), keeps subnegotiations bounded, and never throws.

/** Telnet command bytes. */
export const IAC = 255;
export const DONT = 254;
export const DO = 253;
export const WONT = 252;
export const WILL = 251;
export const SB = 250;
export const SE = 240;
/** Interrupt Process: treated like Ctrl-C. */
export const IP = 244;
/** Are You There. */
export const AYT = 246;

/** Options this server negotiates. */
export const OPT = { ECHO: 1, SGA: 3, TTYPE: 24, NAWS: 31, TSPEED: 32, XDISPLOC: 35, NEW_ENVIRON: 39 } as const;

/** Longest subnegotiation kept; the rest of it is discarded. */
export const MAX_SUBNEGOTIATION_BYTES = 256;

/** What one chunk held. */
export interface IacResult {
  /** Data bytes with IAC sequences removed (IAC IAC gives one 0xFF). */
  readonly data: Buffer;
  /** Negotiation replies to send. */
  readonly replies: Buffer[];
  /** The client's terminal type, when a TTYPE IS subnegotiation arrived. */
  readonly terminalType?: string;
  /** Interrupts (IAC IP) seen. */
  readonly interrupts: number;
}

type State = 'data' | 'iac' | 'opt' | 'sb' | 'sb_iac';

/** The parser of one connection. */
export class TelnetParser {
  private state: State = 'data';
  private verb = 0;
  private sb: number[] = [];
  /** Options we said WILL/WONT to, and options we asked the peer DO/DONT, as last sent. */
  private readonly ours = new Map<number, number>();
  private readonly theirs = new Map<number, number>();

  /** Records that we sent `verb option` ourselves (the opening negotiation). */
  sent(verb: number, option: number): void {
    if (verb === WILL || verb === WONT) this.ours.set(option, verb);
    else this.theirs.set(option, verb);
  }

  /** Feeds one chunk. Runs of data and of subnegotiation bytes are found with indexOf, not byte by byte. */
  push(chunk: Uint8Array): IacResult {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    const data: Buffer[] = [];
    const replies: Buffer[] = [];
    let terminalType: string | undefined;
    let interrupts = 0;
    const answer = (map: Map<number, number>, verb: number, option: number): void => {
      if (map.get(option) === verb) return;
      map.set(option, verb);
      replies.push(Buffer.from([IAC, verb, option]));
    };
    let i = 0;
    while (i < bytes.length) {
      if (this.state === 'data' || this.state === 'sb') {
        const at = bytes.indexOf(IAC, i);
        const end = at < 0 ? bytes.length : at;
        if (this.state === 'data') {
          if (end > i) data.push(bytes.subarray(i, end));
        } else {
          const room = MAX_SUBNEGOTIATION_BYTES - this.sb.length;
          for (let k = i; k < Math.min(end, i + room); k++) this.sb.push(bytes[k] as number);
        }
        if (at < 0) break;
        this.state = this.state === 'data' ? 'iac' : 'sb_iac';
        i = at + 1;
        continue;
      }
      const b = bytes[i] as number;
      i++;
      switch (this.state) {
        case 'iac':
          if (b === IAC) {
            data.push(Buffer.from([IAC]));
            this.state = 'data';
          } else if (b === WILL || b === WONT || b === DO || b === DONT) {
            this.verb = b;
            this.state = 'opt';
          } else if (b === SB) {
            this.sb = [];
            this.state = 'sb';
          } else {
            if (b === IP) interrupts++;
            if (b === AYT) replies.push(Buffer.from('\r\n[Yes]\r\n'));
            this.state = 'data';
          }
          break;
        case 'opt': {
          const option = b;
          if (this.verb === DO) answer(this.ours, option === OPT.ECHO || option === OPT.SGA ? WILL : WONT, option);
          else if (this.verb === DONT) answer(this.ours, WONT, option);
          else if (this.verb === WILL) {
            const wanted = option === OPT.TTYPE || option === OPT.NAWS || option === OPT.SGA;
            answer(this.theirs, wanted ? DO : DONT, option);
            if (option === OPT.TTYPE && wanted) replies.push(Buffer.from([IAC, SB, OPT.TTYPE, 1, IAC, SE]));
          } else answer(this.theirs, DONT, option);
          this.state = 'data';
          break;
        }
        case 'sb_iac':
          if (b === SE) {
            if (this.sb[0] === OPT.TTYPE && this.sb[1] === 0) {
              terminalType = Buffer.from(this.sb.slice(2)).toString('latin1').replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
            }
            this.sb = [];
            this.state = 'data';
          } else {
            if (b === IAC && this.sb.length < MAX_SUBNEGOTIATION_BYTES) this.sb.push(IAC);
            this.state = 'sb';
          }
          break;
      }
    }
    const result: IacResult = { data: data.length === 1 ? Buffer.from(data[0] as Buffer) : Buffer.concat(data), replies, interrupts };
    return terminalType === undefined ? result : { ...result, terminalType };
  }
}
