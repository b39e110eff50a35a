/**
 * Appends quarantine records `{source_object, source_line, reason, raw[, raw_base64]}` as JSON
 * Lines; `raw_base64` carries a line's exact bytes when they are not valid UTF-8.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface QuarantineRecord {
  readonly source_object: string;
  readonly source_line: number;
  readonly reason: string;
  readonly raw: string;
  readonly raw_base64?: string;
}

export class QuarantineWriter {
  private fd: number | undefined;
  private readonly path: string;
  count = 0;

  constructor(dir: string, fileName: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, fileName);
  }

  /** `bytes`: the line as read, kept (base64) where `raw` cannot hold it exactly. */
  add(sourceObject: string, sourceLine: number, reason: string, raw: string, bytes?: Buffer): void {
    const record: QuarantineRecord = {
      source_object: sourceObject,
      source_line: sourceLine,
      reason,
      // Whole, so the line can be fixed and replayed; the splitter already bounds lines too long to hold.
      raw,
      ...(bytes ? { raw_base64: bytes.toString('base64') } : {}),
    };
    this.fd ??= openSync(this.path, 'w');
    writeSync(this.fd, `${JSON.stringify(record)}\n`);
    this.count++;
  }

  /** The file written, or undefined when nothing was quarantined. */
  close(): string | undefined {
    if (this.fd === undefined) return undefined;
    closeSync(this.fd);
    this.fd = undefined;
    return this.path;
  }
}
