/**
 * One warehouse build at a time: a lock file created exclusively, naming its process. A build
 * that finds it held by a live process waits (and says so once); one held by a dead process is
 * taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { ownerAlive, thisProcess } from '../../orchestration/process-identity.js';

export interface BuildLock {
  release(): Promise<void>;
}

export async function acquireBuildLock(path: string, onWait?: (holder: string) => void): Promise<BuildLock> {
  let told = false;
  for (;;) {
    try {
      await writeFile(path, thisProcess, { flag: 'wx' });
      return { release: () => rm(path, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await readFile(path, 'utf8').catch(() => '');
    if (holder !== '' && !ownerAlive(holder)) {
      await rm(path, { force: true });
      continue;
    }
    if (!told) {
      onWait?.(holder);
      told = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
