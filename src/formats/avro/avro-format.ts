/** Avro lake files: each worker writes one container per entity; finishing only names them. */
import { mkdir, rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { FinishOptions, LakeFormat, PartFile, PartWriter, PartWriterOptions } from '../lake-format.js';
import { partFileName } from '../lake-format.js';
import { AvroPartWriter } from './avro-part-writer.js';

export function avroFormat(workerId: number): LakeFormat {
  return {
    name: 'avro',
    extension: 'avro',
    createPartWriter(options: PartWriterOptions): PartWriter {
      return new AvroPartWriter(options, `w${workerId}`);
    },
    async finish({ written, partitionDir }: FinishOptions): Promise<PartFile[]> {
      if (written.length === 0) return [];
      await mkdir(partitionDir, { recursive: true });
      const parts: PartFile[] = [];
      for (const [i, file] of written.entries()) {
        const path = join(partitionDir, partFileName(i, 'avro'));
        await rename(file.path, path);
        parts.push({ path, rows: file.rows, bytes: (await stat(path)).size });
      }
      return parts;
    },
  };
}
