/**
 * Splits a byte stream into numbered lines without trusting it: invalid UTF-8 and over-long
 * lines are reported per line, a BOM and CRLF are tolerated, and a line longer than the limit
 * is never held whole in memory (only a bounded prefix is kept for the quarantine record).
 */
import { isUtf8 } from 'node:buffer';

export const MAX_LINE_BYTES = 1024 * 1024;
/** How much of a bad line's text the quarantine keeps. */
export const RAW_PREVIEW_CHARS = 4096;

export interface LineSink {
  /**
   * A line of valid UTF-8 as `buf[start, end)`, without its line ending or a leading BOM;
   * blank lines are passed too (callers skip them). `buf` is only valid during the call.
   */
  line(lineNumber: number, buf: Buffer, start: number, end: number): void;
  /** A line that cannot be read as text, with a bounded preview of its bytes. */
  unreadable(lineNumber: number, reason: string, preview: string, bytes?: Buffer): void;
  /**
   * Optional fast path: takes the line that starts at `start` when it recognises it whole, its
   * end found by reading it rather than by a search for the newline first (one native indexOf
   * a line was a measurable share of a run's CPU). Returns where the line's content ends,
   * which must satisfy `endsLine(buf, end, limit)`, or -1 when it did not take the line; it is
   * then given to `line`. Offered only text already checked (valid UTF-8, within the length
   * limit), and never the first line (which may start with a BOM).
   */
  takeLine?(lineNumber: number, buf: Buffer, start: number, limit: number): number;
}

const NEWLINE = 10;
const CR = 13;

/**
 * Whether a line's content can end at `end`, as the splitter cuts lines: at a "\n", at a
 * "\r\n", at one "\r" before the end of the text, or at the end of the text (`limit`).
 */
export function endsLine(buf: Uint8Array, end: number, limit: number): boolean {
  if (end === limit || buf[end] === NEWLINE) return true;
  return buf[end] === CR && (end + 1 === limit || buf[end + 1] === NEWLINE);
}

const SPACE = 32;
const TAB = 9;

/**
 * Whether `buf[start, end)` is blank: empty or only spaces, tabs and CRs. Any other character,
 * even one String.prototype.trim() drops (NBSP, U+2028, a BOM past the start, VT, FF), is content.
 */
export function isBlankLine(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const byte = buf[i];
    if (byte !== SPACE && byte !== TAB && byte !== CR) return false;
  }
  return true;
}

function preview(bytes: Buffer): string {
  return bytes.subarray(0, RAW_PREVIEW_CHARS * 4).toString('utf8').slice(0, RAW_PREVIEW_CHARS);
}

export class LineSplitter {
  private lineNumber = 0;
  private carry: Buffer | undefined;
  /**
   * Set while skipping the rest of an over-long line: its prefix, its byte count so far, and
   * whether the bytes so far end in CR (not counted if the LF follows).
   */
  private longLine: { prefix: Buffer; bytes: number; endsInCr: boolean } | undefined;

  constructor(
    private readonly sink: LineSink,
    private readonly maxLineBytes = MAX_LINE_BYTES,
  ) {}

  push(chunk: Buffer): void {
    let buf = chunk;
    if (this.longLine) {
      const nl = buf.indexOf(NEWLINE);
      if (nl < 0) {
        this.longLine.bytes += buf.length;
        if (buf.length > 0) this.longLine.endsInCr = buf[buf.length - 1] === CR;
        return;
      }
      // The limit is on the content: a CR right before the LF is the line ending.
      this.longLine.bytes += nl - ((nl > 0 ? buf[nl - 1] === CR : this.longLine.endsInCr) ? 1 : 0);
      this.flushLongLine();
      buf = buf.subarray(nl + 1);
    } else if (this.carry) {
      buf = Buffer.concat([this.carry, buf]);
      this.carry = undefined;
    }
    const last = buf.lastIndexOf(NEWLINE);
    if (last >= 0) {
      this.completeLines(buf.subarray(0, last));
      buf = buf.subarray(last + 1);
    }
    // One byte over the limit may still be a line of the limit whose LF is in the next chunk.
    if (buf.length > this.maxLineBytes && (buf.length > this.maxLineBytes + 1 || buf[buf.length - 1] !== CR)) {
      this.longLine = {
        prefix: Buffer.from(buf.subarray(0, RAW_PREVIEW_CHARS * 4)),
        bytes: buf.length,
        endsInCr: buf[buf.length - 1] === CR,
      };
    } else if (buf.length > 0) {
      // Copy: the stream may reuse the chunk's memory.
      this.carry = Buffer.from(buf);
    }
  }

  /** Ends the stream: a last line without a final newline is still a line. */
  end(): void {
    if (this.longLine) {
      // A final CR is a line ending, as in emit().
      if (this.longLine.endsInCr) this.longLine.bytes--;
      this.flushLongLine();
    } else if (this.carry) {
      const rest = this.carry;
      this.carry = undefined;
      this.completeLines(rest);
    }
  }

  /**
   * The stream failed before its end: what was read so far has been passed on; the incomplete
   * last line, if any, is reported as unreadable with the failure.
   */
  abandon(failure: string): void {
    const partial = this.longLine?.prefix ?? this.carry;
    this.longLine = undefined;
    this.carry = undefined;
    this.lineNumber++;
    const reason = `object could not be read to the end (${failure})`;
    this.sink.unreadable(this.lineNumber, partial ? `${reason}; this line is incomplete` : reason, partial ? preview(partial) : '');
  }

  /**
   * The object was read to its end (after end()) but is damaged, e.g. its checksum does not
   * match: one more record, numbered after the last line, says so.
   */
  damaged(damage: string): void {
    this.lineNumber++;
    this.sink.unreadable(this.lineNumber, `object is damaged: ${damage}`, '');
  }

  private flushLongLine(): void {
    const long = this.longLine;
    if (!long) return;
    this.longLine = undefined;
    this.lineNumber++;
    this.sink.unreadable(
      this.lineNumber,
      `line too long: ${long.bytes} bytes, the limit is ${this.maxLineBytes}`,
      preview(long.prefix),
    );
  }

  /**
   * `region` holds whole lines separated by "\n", without the final newline. It is taken in
   * windows of whole lines no longer than the line limit: a window that is valid UTF-8 (the
   * common case) needs one native check; only a bad window is checked line by line.
   */
  private completeLines(region: Buffer): void {
    let start = 0;
    while (start <= region.length) {
      let end = region.length;
      if (end - start > this.maxLineBytes) {
        const nl = region.lastIndexOf(NEWLINE, start + this.maxLineBytes);
        if (nl >= start) {
          end = nl;
        } else {
          // The first line of the window alone is over the limit.
          const first = region.indexOf(NEWLINE, start);
          end = first < 0 ? region.length : first;
        }
      }
      const window = region.subarray(start, end);
      this.lines(region, start, end, window.length > this.maxLineBytes || !isUtf8(window));
      start = end + 1;
    }
  }

  /**
   * Lines of `buf[start, end)`. With `check`, each is tested for length and UTF-8; without, the
   * caller has already tested the whole range.
   */
  private lines(buf: Buffer, start: number, end: number, check: boolean): void {
    let from = start;
    const take = check ? undefined : this.sink.takeLine?.bind(this.sink);
    for (;;) {
      if (take && this.lineNumber > 0) {
        const taken = take(this.lineNumber + 1, buf, from, end);
        if (taken >= 0) {
          this.lineNumber++;
          // Past the line ending endsLine accepted: "\n", "\r\n", or the end of the text.
          const next = taken === end ? end + 1 : buf[taken] === NEWLINE ? taken + 1 : taken + 2;
          if (next > end) return;
          from = next;
          continue;
        }
      }
      const nl = buf.indexOf(NEWLINE, from);
      const to = nl < 0 || nl > end ? end : nl;
      if (!check) {
        this.emit(buf, from, to);
      } else {
        // The limit is on the content, without a final CR.
        const bytes = to - from - (to > from && buf[to - 1] === CR ? 1 : 0);
        if (bytes > this.maxLineBytes) {
          this.lineNumber++;
          this.sink.unreadable(this.lineNumber, `line too long: ${bytes} bytes, the limit is ${this.maxLineBytes}`, preview(buf.subarray(from, to)));
        } else if (!isUtf8(buf.subarray(from, to))) {
          this.lineNumber++;
          // The bytes themselves go along: text would turn the bad ones into U+FFFD.
          this.sink.unreadable(this.lineNumber, 'line is not valid UTF-8', preview(buf.subarray(from, to)), buf.subarray(from, to));
        } else {
          this.emit(buf, from, to);
        }
      }
      if (to === end) return;
      from = to + 1;
    }
  }

  private emit(buf: Buffer, start: number, end: number): void {
    this.lineNumber++;
    let s = start;
    let e = end;
    if (e > s && buf[e - 1] === CR) e--;
    if (this.lineNumber === 1 && e - s >= 3 && buf[s] === 0xef && buf[s + 1] === 0xbb && buf[s + 2] === 0xbf) s += 3;
    this.sink.line(this.lineNumber, buf, s, e);
  }
}
