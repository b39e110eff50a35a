/**
 * The Node.js versions eventlake runs on: zlib.crc32 (gzip trailers, Avro snappy blocks) came in
 * 20.15 and 22.2, and Node 21 never had it. package.json's `engines` says the same.
 */
export function unsupportedNode(version: string): string | undefined {
  const [major = 0, minor = 0] = version.replace(/^v/, '').split('.').map(Number);
  const supported = (major === 20 && minor >= 15) || (major === 22 && minor >= 2) || major >= 23;
  return supported ? undefined : `needs Node.js 20.15 or later (22.2 or later on 22), not ${version}`;
}
