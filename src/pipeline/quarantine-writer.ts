/** Appends quarantine records `{source_object, source_line, reason, raw}` as JSON Lines. */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export interface QuarantineRecord {
  readonly source_object: string;
  readonly source_line: number;
  readonly reason: string;
  readonly raw: string;
}

export class QuarantineWriter {
  private fd: number | undefined;
  private readonly path: string;
  count = 0;

  constructor(dir: string, fileName: string) {
    mkdirSync(dir, { recursive: true });
    this.path = join(dir, fileName);
  }

  add(sourceObject: string, sourceLine: number, reason: string, raw: string): void {
    const record: QuarantineRecord = {
      source_object: sourceObject,
      source_line: sourceLine,
      reason,
      // Whole, so the line can be fixed and replayed; the splitter already bounds lines too long to hold.
      raw,
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
