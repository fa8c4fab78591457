import { PassThrough, Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { ndjsonLines, wantsNdjson, writeNdjson } from './ndjson';

const records = Array.from({ length: 300 }, (_, i) => ({ n: i, text: `booking ${i} ${'x'.repeat(i % 97)}` }));

/** A sink that keeps every write, with a small buffer so backpressure happens. */
function sink(): { stream: Writable; writes: string[] } {
  const writes: string[] = [];
  const stream = new Writable({
    highWaterMark: 1024,
    write(chunk: Buffer, _encoding, done) {
      writes.push(chunk.toString('utf8'));
      setImmediate(done);
    },
  });
  return { stream, writes };
}

describe('NDJSON', () => {
  it('writes a chunk in pieces of about the size asked, whose text is exactly the lines of every record', async () => {
    const { stream, writes } = sink();
    expect(await writeNdjson(stream, records, 2048)).toBe(true);
    expect(writes.join('')).toBe(ndjsonLines(records));
    expect(writes.length).toBeGreaterThan(5);
    // Each piece ends on a line, and none is much over the size asked (one record at most).
    for (const piece of writes) {
      expect(piece.endsWith('\n')).toBe(true);
      expect(piece.length).toBeLessThan(2048 + 200);
    }
    expect(
      writes
        .join('')
        .trimEnd()
        .split('\n')
        .map((line) => JSON.parse(line) as { n: number })
        .map((r) => r.n),
    ).toEqual(records.map((r) => r.n));
  });

  it('writes nothing for no records, and stops (false) once the client has gone', async () => {
    const { stream, writes } = sink();
    expect(await writeNdjson(stream, [])).toBe(true);
    expect(writes).toEqual([]);
    const gone = new PassThrough();
    gone.destroy();
    expect(await writeNdjson(gone, records, 1024)).toBe(false);
  });

  it('recognises the NDJSON media type in Accept, whatever its case or parameters', () => {
    expect(wantsNdjson('application/x-ndjson')).toBe(true);
    expect(wantsNdjson('Application/X-NDJSON; charset=utf-8')).toBe(true);
    expect(wantsNdjson('application/json')).toBe(false);
    expect(wantsNdjson(undefined)).toBe(false);
  });
});
