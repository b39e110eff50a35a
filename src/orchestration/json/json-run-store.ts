/**
 * Run records as one JSON file per run under `<state>/runs/`, each replaced whole (write beside,
 * then rename) so a reader never sees half a record. The first adapter; the scheduler's will
 * keep them in SQLite.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { UserError } from '../../errors/user-error.js';
import type { RunRecord, RunStore } from '../run-store.js';
import { ensureWritableFolder } from '../../storage/writable-folder.js';

export class JsonRunStore implements RunStore {
  constructor(private readonly stateDir: string) {}

  private get dir(): string {
    return join(this.stateDir, 'runs');
  }

  private ready: Promise<void> | undefined;

  /** The state folder must exist and be writable; checked once, before the first record. */
  private prepare(): Promise<void> {
    this.ready ??= ensureWritableFolder(this.stateDir, 'state folder').catch((err: Error) => {
      this.ready = undefined;
      throw new UserError(`${err.message}; choose another with --state`);
    });
    return this.ready;
  }

  async save(record: RunRecord): Promise<void> {
    await this.prepare();
    const path = join(this.dir, `${record.runId}.json`);
    const temp = `${path}.${randomUUID()}.tmp`;
    try {
      await mkdir(this.dir).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
      });
      await writeFile(temp, `${JSON.stringify(record, null, 2)}\n`);
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true }).catch(() => undefined);
      const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
      throw new UserError(`state folder ${this.stateDir} cannot be written (${code}); choose another with --state`);
    }
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    const text = await readFile(join(this.dir, `${runId}.json`), 'utf8').catch(() => undefined);
    return text === undefined ? undefined : (JSON.parse(text) as RunRecord);
  }

  async list(): Promise<RunRecord[]> {
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const records = await Promise.all(names.filter((n) => n.endsWith('.json')).map((n) => this.get(n.slice(0, -'.json'.length))));
    return records.filter((r): r is RunRecord => r !== undefined).sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }
}
