/** Avro lake files: each task encodes its own containers; finishing joins their blocks in order. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FinishOptions, LakeFormat, PartFile, PartWriter, PartWriterOptions } from '../lake-format.js';
import { partFileName } from '../../pipeline/lake-layout.js';
import { mergeContainers } from './avro-container-merge.js';
import { AVRO_CODECS } from './avro-codecs.js';
import { AvroPartWriter } from './avro-part-writer.js';

export const avroFormat: LakeFormat = {
  name: 'avro',
  extension: 'avro',
  // Deflate first: every Avro reader has it; snappy is added by hand in avro-codecs.ts.
  codecs: AVRO_CODECS,
  createPartWriter(options: PartWriterOptions): PartWriter {
    return new AvroPartWriter(options, options.entity.name);
  },
  async finish({ entity, written, partitionDir, targetFileBytes }: FinishOptions): Promise<PartFile[]> {
    if (written.length === 0) return [];
    await mkdir(partitionDir, { recursive: true });
    return mergeContainers(
      written.map((w) => w.path),
      targetFileBytes,
      (i) => join(partitionDir, partFileName(i, 'avro')),
      entity.name,
    );
  },
  async countPerMinute(paths, column) {
    // avsc reads the files; loaded here only, not by every task's worker (each would pay to
    // load it).
    const { countAvroPerMinute } = await import('./avro-minute-counts.js');
    return countAvroPerMinute(paths, column);
  },
};
