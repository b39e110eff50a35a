/**
 * Watches the state database a process has open, at each use of the state: the file deleted
 * or replaced under a running process (its writes would go to an orphaned file, and a new
 * command would start a second history), a full or read-only disk, or a damaged file each
 * become one sentence naming the path, once; from then on every use of the state throws that
 * sentence, so nothing more is written where no one will read it, and listeners (`up`) stop.
 */
import { existsSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { UserError } from '../../errors/user-error.js';
import type { OpenedState } from './state-database.js';
import { describeStorageFailure } from './storage-failure.js';

/** The state can no longer be used by this process: what happened, in one sentence. */
export class StateLostError extends UserError {
  override readonly name = 'StateLostError';
}

export class StateGuard {
  private failure: StateLostError | undefined;
  private readonly listeners = new Set<(err: UserError) => void>();

  constructor(private readonly opened: OpenedState) {}

  onFailure(listener: (err: UserError) => void): void {
    if (this.failure) listener(this.failure);
    else this.listeners.add(listener);
  }

  /** Throws when the state is no longer usable: the file at the path is not the one opened. */
  check(): void {
    if (this.failure) throw this.failure;
    const { path, file } = this.opened;
    let info;
    try {
      info = statSync(path, { throwIfNoEntry: false });
    } catch (err) {
      throw this.fail(describeStorageFailure(err, path) ?? `the state database ${path} cannot be looked at: ${(err as Error).message}`);
    }
    if (info && info.dev === file.dev && info.ino === file.ino) return;
    throw this.fail(this.lost(info === undefined ? 'deleted' : 'replaced by another file'));
  }

  /** The error to throw for `err`: storage failures become the one sentence, and stop the state. */
  translate(err: unknown): unknown {
    if (err instanceof UserError) return err;
    const sentence = describeStorageFailure(err, this.opened.path);
    return sentence === undefined ? err : this.fail(sentence);
  }

  /** `port` (all of whose methods answer promises) with every method checked first and its storage failures translated. */
  wrap<T extends object>(port: T): T {
    return new Proxy(port, {
      get: (target, key, receiver) => {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        // Every method of the state's ports answers a promise: failures reject it.
        return async (...args: unknown[]): Promise<unknown> => {
          this.check();
          try {
            return await (value as (...a: unknown[]) => unknown).apply(target, args);
          } catch (err) {
            throw this.translate(err);
          }
        };
      },
    });
  }

  /**
   * The database was deleted or replaced: what this process had is copied beside it (when the
   * folder is still there), so that nothing is lost, and the sentence says where.
   */
  private lost(how: string): string {
    const { db, path } = this.opened;
    const start = `the state database ${path} was ${how} while this process was using it; stopped so as not to write into a file no one will read`;
    if (!existsSync(dirname(path))) return `${start} (the state folder is gone too)`;
    const saved = `${path}.orphaned-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      db.prepare('VACUUM INTO ?').run(saved);
    } catch {
      return start;
    }
    // SQLite leaves the write-ahead log of a deleted database behind (it holds the last
    // transactions, now in the copy): beside the copy put back, it would be replayed into it.
    if (!existsSync(path)) for (const suffix of ['-wal', '-shm']) rmSync(`${path}${suffix}`, { force: true });
    return `${start}; what it held is saved in ${saved}: move it back to ${path} to go on with that history`;
  }

  private fail(sentence: string): StateLostError {
    if (!this.failure) {
      this.failure = new StateLostError(sentence);
      for (const listener of this.listeners) listener(this.failure);
      this.listeners.clear();
    }
    return this.failure;
  }
}
