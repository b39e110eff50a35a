/**
 * Creates a file only if none has its path: written whole beside it, then hard-linked in.
 * link() fails when the path exists, so of many writers racing exactly one wins, and no reader
 * ever sees a half-written file (as it could with open(O_EXCL) then write).
 */
import { randomUUID } from 'node:crypto';
import { link, rm, writeFile } from 'node:fs/promises';

export async function createExclusive(path: string, body: Buffer | string): Promise<boolean> {
  const temp = `${path}.${randomUUID()}.tmp`;
  await writeFile(temp, body);
  try {
    await link(temp, path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  } finally {
    await rm(temp, { force: true });
  }
}
