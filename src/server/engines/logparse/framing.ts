/**
 * Syslog stream framing (RFC 6587 §3.4, RFC 5425 §4.3). Two framings share a TCP stream:
 * - octet counting `MSG-LEN SP SYSLOG-MSG` (MSG-LEN decimal, no leading zero; the only framing of RFC 5425 TLS);
 * - non-transparent framing `SYSLOG-MSG TRAILER`, TRAILER usually LF, also NUL (NetScreen) or CRLF
 *   (research/soc.md §5.4: Wazuh's newline-only parser dropped FortiGate and rsyslog `omfwd` octet-counted
 *   records; this framer reads both).
 *
 * The framing is decided at the start of each frame: a SYSLOG-MSG always begins with `<` (PRI), so a digit
 * there followed by digits, a space and `<` is an octet count; anything else is non-transparent. A connection
 * therefore auto-detects its sender's framing from the first byte, and a sender that switches is still read.
 * Frames longer than `maxMessageBytes` are truncated (counted), never buffered without bound.
 */
export interface FramerStats {
  frames: number;
  truncated: number;
  octetCounted: number;
  nonTransparent: number;
}

const LF = 0x0a;
const NUL = 0x00;
const CR = 0x0d;
const SP = 0x20;
const LT = 0x3c;

export class SyslogFramer {
  private buf: Buffer = Buffer.alloc(0);
  /** Bytes of an oversized octet-counted frame still to skip. */
  private skip = 0;
  /** Inside an oversized non-transparent frame: discard until the next trailer. */
  private discarding = false;
  readonly stats: FramerStats = { frames: 0, truncated: 0, octetCounted: 0, nonTransparent: 0 };

  /**
   * `copyFrames` false: the frames returned are views of the bytes pushed (no copy each); the caller must copy
   * what it keeps before it lets go of them (the SOC listener copies them into the spool at once). True (the
   * default): each frame is a buffer of its own, so keeping one does not keep a whole read.
   */
  constructor(
    private readonly maxMessageBytes = 64 * 1024,
    private readonly copyFrames = true,
  ) {}

  private frame(data: Buffer, start: number, end: number): Buffer {
    return this.copyFrames ? Buffer.from(data.subarray(start, end)) : data.subarray(start, end);
  }

  /** Feed bytes from the stream; returns the complete frames (without length prefix or trailer). */
  push(chunk: Buffer): Buffer[] {
    const out: Buffer[] = [];
    let data = this.buf.length > 0 ? Buffer.concat([this.buf, chunk]) : chunk;
    let pos = 0;
    const n = data.length;
    while (pos < n) {
      if (this.skip > 0) {
        const k = Math.min(this.skip, n - pos);
        this.skip -= k;
        pos += k;
        continue;
      }
      if (this.discarding) {
        const end = this.findTrailer(data, pos);
        if (end < 0) {
          pos = n;
          break;
        }
        this.discarding = false;
        pos = end + 1;
        continue;
      }
      const c = data[pos]!;
      if (c >= 0x31 && c <= 0x39) {
        // Possibly octet counting: digits, SP, then the message's `<`.
        let i = pos;
        let len = 0;
        while (i < n && data[i]! >= 0x30 && data[i]! <= 0x39 && i - pos < 10) {
          len = len * 10 + (data[i]! - 0x30);
          i++;
        }
        if (i >= n || (i + 1 >= n && data[i] === SP)) break; // need more bytes to decide
        if (data[i] === SP && data[i + 1] === LT) {
          const start = i + 1;
          if (len > this.maxMessageBytes) {
            const have = Math.min(this.maxMessageBytes, n - start);
            if (have < this.maxMessageBytes) break; // wait for the part we keep
            out.push(this.frame(data, start, start + this.maxMessageBytes));
            this.stats.truncated++;
            this.stats.frames++;
            this.stats.octetCounted++;
            this.skip = len - this.maxMessageBytes;
            pos = start + this.maxMessageBytes;
            continue;
          }
          if (start + len > n) break; // incomplete frame
          out.push(this.frame(data, start, start + len));
          this.stats.frames++;
          this.stats.octetCounted++;
          pos = start + len;
          continue;
        }
        // not an octet count: fall through to non-transparent framing
      }
      const end = this.findTrailer(data, pos);
      if (end < 0) {
        if (n - pos > this.maxMessageBytes) {
          out.push(this.frame(data, pos, pos + this.maxMessageBytes));
          this.stats.truncated++;
          this.stats.frames++;
          this.stats.nonTransparent++;
          this.discarding = true;
          pos = n;
        }
        break;
      }
      let stop = end;
      if (stop > pos && data[stop - 1] === CR) stop--;
      if (stop - pos > this.maxMessageBytes) {
        out.push(this.frame(data, pos, pos + this.maxMessageBytes));
        this.stats.truncated++;
        this.stats.frames++;
        this.stats.nonTransparent++;
      } else if (stop > pos) {
        out.push(this.frame(data, pos, stop));
        this.stats.frames++;
        this.stats.nonTransparent++;
      }
      pos = end + 1;
    }
    this.buf = pos >= n ? Buffer.alloc(0) : Buffer.from(data.subarray(pos));
    data = Buffer.alloc(0);
    return out;
  }

  /** The stream ended: a non-transparent message without trailer is still a message (RFC 6587 §3.4.2). */
  end(): Buffer[] {
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    if (rest.length === 0 || this.discarding || this.skip > 0) return [];
    let stop = rest.length;
    while (stop > 0 && (rest[stop - 1] === CR || rest[stop - 1] === LF || rest[stop - 1] === NUL)) stop--;
    if (stop === 0) return [];
    this.stats.frames++;
    this.stats.nonTransparent++;
    return [rest.subarray(0, Math.min(stop, this.maxMessageBytes))];
  }

  /** Bytes buffered waiting for the rest of a frame. */
  get pending(): number {
    return this.buf.length;
  }

  private findTrailer(data: Buffer, from: number): number {
    const lf = data.indexOf(LF, from);
    const nul = data.indexOf(NUL, from);
    if (lf < 0) return nul;
    if (nul < 0) return lf;
    return Math.min(lf, nul);
  }
}
