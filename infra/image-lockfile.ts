/**
 * The Lambda image's lockfile: the repository's package-lock.json cut down to the packages the
 * image installs (those left out of the bundle) and everything they need, each at the exact path,
 * version and integrity the repository's lockfile holds, so `npm ci` in the image installs the
 * very tree the tests ran against and refuses a tarball whose hash differs.
 *
 * Paths are kept as they are (`node_modules/a/node_modules/b`): a subset of a valid npm tree that
 * keeps every package its members resolve to is itself a valid tree. `optional` is recomputed for
 * the subset (reached only through optional dependencies); `dev` flags cannot occur, since only
 * what production packages need is kept.
 */

interface LockEntry {
  readonly version?: string;
  readonly dependencies?: Record<string, string>;
  readonly optionalDependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
  readonly peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  readonly hasInstallScript?: boolean;
  readonly [field: string]: unknown;
}

const FLAGS = new Set(['dev', 'devOptional', 'optional', 'peer']);

export interface Lockfile {
  readonly name: string;
  readonly version?: string;
  readonly lockfileVersion: number;
  readonly requires?: boolean;
  readonly packages: Record<string, LockEntry>;
}

/** Where npm finds `name` for the package installed at `from`: its own node_modules, then each parent's. */
export function resolveInLock(packages: Lockfile['packages'], from: string, name: string): string | undefined {
  for (let base = from; ; ) {
    const path = `${base === '' ? '' : `${base}/`}node_modules/${name}`;
    if (packages[path] !== undefined) return path;
    if (base === '') return undefined;
    const parent = base.lastIndexOf('/node_modules/');
    base = parent < 0 ? '' : base.slice(0, parent);
  }
}

/** The lockfile for a package named `name` depending on exactly `dependencies` (name → exact version). */
export function imageLockfile(root: Lockfile, name: string, dependencies: Record<string, string>): Lockfile {
  if (root.lockfileVersion < 2) throw new Error(`package-lock.json is lockfileVersion ${root.lockfileVersion}; the image needs 2 or 3 (npm 7 or later)`);
  const all = new Set<string>();
  const required = new Set<string>();
  const visit = (path: string, set: Set<string>, withOptional: boolean): void => {
    if (set.has(path)) return;
    set.add(path);
    const entry = root.packages[path]!;
    const edges: [string, boolean][] = [
      ...Object.keys(entry.dependencies ?? {}).map((d): [string, boolean] => [d, true]),
      ...Object.keys(entry.peerDependencies ?? {}).map((d): [string, boolean] => [d, entry.peerDependenciesMeta?.[d]?.optional !== true]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((d): [string, boolean] => [d, false]),
    ];
    for (const [dependency, needed] of edges) {
      if (!needed && !withOptional) continue;
      const target = resolveInLock(root.packages, path, dependency);
      if (target !== undefined) visit(target, set, withOptional);
      else if (needed) throw new Error(`package-lock.json has no ${dependency} for ${path}: run npm install to repair it`);
      // An optional dependency npm did not record (another platform's binary) is simply absent.
    }
  };
  for (const [dependency, version] of Object.entries(dependencies)) {
    const path = `node_modules/${dependency}`;
    const locked = root.packages[path]?.version;
    if (locked !== version) throw new Error(`the image wants ${dependency}@${version} but package-lock.json holds ${locked ?? 'none'}`);
    visit(path, required, false);
    visit(path, all, true);
  }
  const packages: Record<string, LockEntry> = { '': { name, dependencies } };
  for (const path of [...all].sort()) {
    // The root's flags say how the repository reaches a package; the subset's own are set here.
    const entry = Object.fromEntries(Object.entries(root.packages[path]!).filter(([field]) => !FLAGS.has(field))) as LockEntry;
    packages[path] = required.has(path) ? entry : { ...entry, optional: true };
  }
  return { name, lockfileVersion: root.lockfileVersion, requires: true, packages };
}
