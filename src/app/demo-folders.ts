/** Where `demo` puts everything: one folder, easy to look at and to delete. */
import { join, resolve } from 'node:path';
import { ensureWritableFolder } from '../storage/writable-folder.js';

export interface DemoFolders {
  readonly source: string;
  readonly lake: string;
  /** The demo's own state folder, unless the person chose one. */
  readonly state: string;
}

export async function demoFolders(dir: string): Promise<DemoFolders> {
  const root = resolve(dir);
  await ensureWritableFolder(root, 'demo folder');
  return { source: join(root, 'source'), lake: join(root, 'lake'), state: join(root, '.eventlake') };
}
