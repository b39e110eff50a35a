/**
 * The Parquet staging writer across its buffer's edges: rows are gathered in a buffer smaller
 * than the longest accepted line, so flushing and growing must keep every byte in order.
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { vehicle } from '../../src/events/vehicle.js';
import { scanVehicleLine } from '../../src/events/vehicle-line-scanner.js';
import { TypedCsvWriter } from '../../src/formats/parquet/typed-csv-writer.js';
import { tempDir } from '../helpers/fixtures.js';

const AT = '2019-06-01T15:00:00.000Z';
const line = (id: string): string =>
  `{"event":"update","on":"vehicle","at":"${AT}","data":{"id":"${id}","location":{"lat":52.5,"lng":13.4,"at":"${AT}"}},"organization_id":"org"}`;
const csv = (id: string, key: string, n: number): string => `update,${AT},org,${id},52.5,13.4,${AT},${key},${n}\n`;

describe('TypedCsvWriter', () => {
  it('keeps every row whole and in order across flushes, rows longer than its buffer included', async () => {
    const dir = await tempDir();
    const keys = ['a.json', 'b.json'];
    const writer = new TypedCsvWriter({ entity: vehicle, dir, objectKeys: keys, codec: 'zstd' }, 'vehicle.csv');
    const spans = new Int32Array(2 * vehicle.columns.length);
    const expected: string[] = [];
    // Even rows come as spans, odd ones as values: long rows both ways.
    const long = ['L'.repeat(700 * 1024), 'K'.repeat(500 * 1024), 'short', 'M'.repeat(300 * 1024)];
    const ids = [...Array.from({ length: 5_000 }, (_, i) => `v${i}`), ...long, ...Array.from({ length: 5_000 }, (_, i) => `w${i}`)];
    ids.forEach((id, i) => {
      const object = i < 5_002 ? 0 : 1;
      if (i % 2 === 0) {
        const buf = Buffer.from(line(id));
        expect(scanVehicleLine(buf, 0, buf.length, spans)).toBe(buf.length);
        writer.writeSpans(buf, spans, object, i + 1);
      } else {
        writer.write(['update', Date.parse(AT), 'org', id, 52.5, 13.4, Date.parse(AT)], object, i + 1);
      }
      expected.push(csv(id, keys[object] as string, i + 1));
    });
    const [file] = await writer.close();
    expect(file?.rows).toBe(ids.length);
    expect(await readFile(file?.path as string, 'utf8')).toBe(expected.join(''));
  });
});
