/**
 * The parsed models kept in the state folder: the same models the parser gives, parsed again when
 * a model file changes, is added or removed, or the cache is damaged or of another folder.
 */
import { cp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadModelsCached } from '../../src/warehouse/model-cache.js';
import { modelsDir } from '../../src/warehouse/model-files.js';
import { loadModels } from '../../src/warehouse/model-graph.js';
import { tempDir } from '../helpers/fixtures.js';

async function folders(): Promise<{ models: string; state: string }> {
  const models = join(await tempDir(), 'models');
  await cp(modelsDir(), models, { recursive: true });
  return { models, state: await tempDir() };
}

describe('the parsed models cached in the state folder', () => {
  it('are the models the parser gives, read back from the cache the second time', async () => {
    const { models, state } = await folders();
    const parsed = loadModels(models);
    expect(await loadModelsCached(models, state)).toEqual(parsed);
    const cache = JSON.parse(await readFile(join(state, 'warehouse-models.json'), 'utf8')) as { models: unknown };
    expect(cache.models).toEqual(JSON.parse(JSON.stringify(parsed)));
    // Read back: what the cache holds is what is answered (marked here to tell it from a parse).
    expect(parsed[0]?.tests.length).toBeGreaterThan(0);
    await writeFile(join(state, 'warehouse-models.json'), JSON.stringify({ ...cache, models: [{ ...parsed[0], tests: [] }, ...parsed.slice(1)] }));
    expect((await loadModelsCached(models, state))[0]?.tests).toEqual([]);
  });

  it('parses again when a model file changes, is added or is removed', async () => {
    const { models, state } = await folders();
    const before = await loadModelsCached(models, state);
    const first = before[0] as { name: string; file: string };
    await writeFile(first.file, `${await readFile(first.file, 'utf8')}\n-- test: not_null(${before[0]?.uniqueKey[0] ?? 'x'})\n`);
    const changed = await loadModelsCached(models, state);
    expect(changed).toEqual(loadModels(models));
    expect(changed).not.toEqual(before);
    await writeFile(join(models, 'extra_model.sql'), 'SELECT 1 AS one\n');
    expect((await loadModelsCached(models, state)).map((m) => m.name)).toContain('extra_model');
    await rm(join(models, 'extra_model.sql'));
    expect((await loadModelsCached(models, state)).map((m) => m.name)).not.toContain('extra_model');
  });

  it('ignores a damaged cache or one of another folder, and writes it afresh', async () => {
    const { models, state } = await folders();
    await writeFile(join(state, 'warehouse-models.json'), '{"key": ');
    expect(await loadModelsCached(models, state)).toEqual(loadModels(models));
    const other = await folders();
    await cp(join(state, 'warehouse-models.json'), join(other.state, 'warehouse-models.json'));
    await writeFile(join(other.models, 'extra_model.sql'), 'SELECT 1 AS one\n');
    expect((await loadModelsCached(other.models, other.state)).map((m) => m.name)).toContain('extra_model');
  });
});

describe('two loads at once in one process (serve\'s refresher and an API build)', () => {
  it('both answer the models, and the cache is whole afterwards', async () => {
    const { models, state } = await folders();
    const loads = await Promise.all(Array.from({ length: 6 }, () => loadModelsCached(models, state)));
    for (const loaded of loads) expect(loaded).toEqual(loadModels(models));
    expect((JSON.parse(await readFile(join(state, 'warehouse-models.json'), 'utf8')) as { models: unknown[] }).models).toHaveLength(loads[0]?.length ?? -1);
  });
});
