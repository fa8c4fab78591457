import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  InvalidObjectKeyError,
  LocalObjectStore,
  ObjectTooLargeError,
  S3ObjectStore,
  type ObjectStore,
} from '@holdfast/object-store';
import { byteSource, bytesOf, digestOf } from './support/byte-source';
import { startFakeS3 } from './support/fake-s3';

/**
 * The ObjectStore contract, run against both stores: the local one on a temp directory and
 * the S3 one against the fake S3-compatible server (test/support/fake-s3.ts), which checks
 * signatures, checksums and the encryption header as S3 would.
 */

const MIB = 1024 * 1024;

interface Harness {
  store: ObjectStore;
  /** Bytes of objects still being written that already reached the store (local: temp files; S3: parts received). */
  landed(): Promise<number>;
  /** Everything the store holds: files (temp ones included) or objects and unfinished multipart uploads. */
  leftovers(): Promise<string[]>;
  /** Requests that reached the store's server (S3), or null (local). */
  requestCount(): number | null;
  /** Where a key that escaped the root would have landed (local): must stay empty. */
  outside(): Promise<string[]>;
  close(): Promise<void>;
}

async function filesUnder(dir: string): Promise<{ path: string; size: number }[]> {
  if (!existsSync(dir)) return [];
  const out: { path: string; size: number }[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    out.push({ path, size: (await stat(path)).size });
  }
  return out;
}

async function localHarness(): Promise<Harness> {
  const parent = await mkdtemp(join(tmpdir(), 'holdfast-objects-test-'));
  const root = join(parent, 'objects');
  const store = new LocalObjectStore({ root });
  return {
    store,
    landed: async () => (await filesUnder(root)).filter((f) => f.path.endsWith('.tmp')).reduce((n, f) => n + f.size, 0),
    leftovers: async () => (await filesUnder(root)).map((f) => f.path.slice(root.length + 1)),
    requestCount: () => null,
    outside: async () => (await readdir(parent)).filter((name) => name !== 'objects'),
    close: () => rm(parent, { recursive: true, force: true }),
  };
}

async function s3Harness(): Promise<Harness> {
  const fake = await startFakeS3();
  const store = new S3ObjectStore({
    bucket: fake.bucket,
    region: fake.region,
    endpoint: fake.endpoint,
    credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey },
    encryption: { algorithm: 'AES256' },
    requestTimeoutMs: 5000,
    maxAttempts: 2,
  });
  return {
    store,
    landed: async () =>
      fake.requests.filter((r) => r.operation === 'UploadPart' && r.status === 200).reduce((n, r) => n + r.bytes, 0),
    leftovers: async () => [...fake.objects.keys(), ...[...fake.uploads.values()].map((u) => `(unfinished upload) ${u.key}`)],
    requestCount: () => fake.requests.length,
    outside: async () => [],
    async close() {
      store.destroy();
      await fake.stop();
    },
  };
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

describe.each<['local' | 's3', () => Promise<Harness>]>([
  ['local', localHarness],
  ['s3', s3Harness],
])('ObjectStore contract: %s', (kind, makeHarness) => {
  let h: Harness;
  beforeAll(async () => {
    h = await makeHarness();
  });
  afterAll(() => h.close());

  it(`is the ${kind} store`, () => {
    expect(h.store.kind).toBe(kind);
  });

  it('stores what it is given and reads it back, with the sha256 node:crypto computes over the bytes', async () => {
    const bytes = randomBytes(MIB + 12345);
    const chunks = Array.from({ length: Math.ceil(bytes.length / 50_000) }, (_, i) =>
      bytes.subarray(i * 50_000, (i + 1) * 50_000),
    );
    const stored = await h.store.put('rentals/r1/photo-1.jpg', Readable.from(chunks), { contentType: 'image/jpeg' });
    expect(stored).toEqual({
      key: 'rentals/r1/photo-1.jpg',
      size: bytes.length,
      sha256: sha256(bytes),
      contentType: 'image/jpeg',
    });
    const read = await h.store.get('rentals/r1/photo-1.jpg');
    expect(read).not.toBeNull();
    expect((await bytesOf(read!)).equals(bytes)).toBe(true);
  });

  it('stores an empty body, and replaces an object on a second put to the same key', async () => {
    const empty = await h.store.put('exports/empty.ndjson.gz', Readable.from([]), { contentType: 'application/gzip' });
    expect(empty).toMatchObject({ size: 0, sha256: sha256(Buffer.alloc(0)) });
    expect((await bytesOf((await h.store.get('exports/empty.ndjson.gz'))!)).length).toBe(0);

    await h.store.put('exports/day.ndjson.gz', Readable.from([Buffer.from('first run')]), { contentType: 'application/gzip' });
    await h.store.put('exports/day.ndjson.gz', Readable.from([Buffer.from('second')]), { contentType: 'application/gzip' });
    expect((await bytesOf((await h.store.get('exports/day.ndjson.gz'))!)).toString()).toBe('second');
  });

  it('streams a 30 MB body: bytes reach the store long before the body ends, and the sha256 matches on the way back', async () => {
    let landedAt20MiB: number | null = null;
    const source = byteSource(30 * MIB, {
      onChunk: async (produced) => {
        if (produced >= 20 * MIB && landedAt20MiB === null) landedAt20MiB = await h.landed();
      },
    });
    const stored = await h.store.put('rentals/r1/big.heic', source.stream, { contentType: 'image/heic', maxBytes: 40 * MIB });
    expect(stored).toMatchObject({ size: 30 * MIB, sha256: source.sha256() });
    // Not buffered whole and written at the end: at least 10 MiB were already stored.
    expect(landedAt20MiB).toBeGreaterThan(10 * MIB);
    expect(await digestOf((await h.store.get('rentals/r1/big.heic'))!)).toEqual({ sha256: source.sha256(), size: 30 * MIB });
    await h.store.delete('rentals/r1/big.heic');
  }, 60_000);

  it('stops a body past maxBytes while it streams: ObjectTooLargeError, nothing kept, the body not read much further', async () => {
    const before = await h.leftovers();
    const source = byteSource(30 * MIB);
    const put = h.store.put('rentals/r1/too-big.jpg', source.stream, { contentType: 'image/jpeg', maxBytes: 12 * MIB });
    await expect(put).rejects.toBeInstanceOf(ObjectTooLargeError);
    await expect(put).rejects.toMatchObject({ maxBytes: 12 * MIB });
    expect(source.produced()).toBeLessThan(13 * MIB);
    expect(await h.leftovers()).toEqual(before); // no temp file, no object, no open multipart upload
    expect(await h.store.get('rentals/r1/too-big.jpg')).toBeNull();
    // The caller's stream is left to the caller (to drain or destroy), not destroyed.
    expect(source.stream.destroyed).toBe(false);
    source.stream.destroy();
  }, 60_000);

  it('takes a body of exactly maxBytes and refuses one byte more', async () => {
    const exact = randomBytes(1000);
    await expect(
      h.store.put('limits/exact', Readable.from([exact]), { contentType: 'image/png', maxBytes: 1000 }),
    ).resolves.toMatchObject({
      size: 1000,
      sha256: sha256(exact),
    });
    await expect(
      h.store.put('limits/over', Readable.from([randomBytes(1001)]), { contentType: 'image/png', maxBytes: 1000 }),
    ).rejects.toBeInstanceOf(ObjectTooLargeError);
    expect(await h.store.get('limits/over')).toBeNull();
  });

  it("fails with the body's own error when the body fails mid-way, keeping nothing", async () => {
    const before = await h.leftovers();
    const broken = new Error('client went away');
    const source = byteSource(12 * MIB, { failAt: { bytes: 7 * MIB, error: broken } });
    await expect(h.store.put('rentals/r1/cut.jpg', source.stream, { contentType: 'image/jpeg' })).rejects.toBe(broken);
    expect(await h.leftovers()).toEqual(before);
    expect(await h.store.get('rentals/r1/cut.jpg')).toBeNull();
  }, 60_000);

  it('refuses keys that could escape the root or mean different things on disk and in S3, before touching the store', async () => {
    const requestsBefore = h.requestCount();
    const escape = join(tmpdir(), `holdfast-escape-${randomUUID()}`);
    const bad = [
      '../escaped',
      'rentals/../../escaped',
      '..',
      escape, // absolute
      '/rentals/r1/a.jpg',
      'rentals//a.jpg',
      'rentals/r1/',
      'rentals/./a.jpg',
      '.hidden',
      'a\0b',
      'a\\..\\b',
      'with space.jpg',
      'photo-ü.jpg',
      '',
      'x'.repeat(513),
    ];
    for (const key of bad) {
      await expect(h.store.put(key, Readable.from([Buffer.from('x')]), { contentType: 'text/plain' })).rejects.toBeInstanceOf(
        InvalidObjectKeyError,
      );
      await expect(h.store.get(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
      await expect(h.store.delete(key)).rejects.toBeInstanceOf(InvalidObjectKeyError);
    }
    expect(existsSync(escape)).toBe(false);
    expect(await h.outside()).toEqual([]);
    expect(h.requestCount()).toBe(requestsBefore);
  });

  it('answers null for a missing key (or a prefix of other keys), and deletes idempotently', async () => {
    expect(await h.store.get('rentals/none/photo.jpg')).toBeNull();
    await h.store.put('prefix/child/leaf.txt', Readable.from([Buffer.from('leaf')]), { contentType: 'text/plain' });
    expect(await h.store.get('prefix/child')).toBeNull();
    await h.store.delete('prefix/child'); // a prefix, not an object: nothing to delete
    expect((await bytesOf((await h.store.get('prefix/child/leaf.txt'))!)).toString()).toBe('leaf');

    await h.store.delete('prefix/child/leaf.txt');
    await h.store.delete('prefix/child/leaf.txt');
    await h.store.delete('never/was/there.txt');
    expect(await h.store.get('prefix/child/leaf.txt')).toBeNull();
  });

  it('checks its options: a maxBytes that is not a non-negative integer, a content type that is not one line', async () => {
    for (const options of [
      { contentType: 'image/jpeg', maxBytes: -1 },
      { contentType: 'image/jpeg', maxBytes: 1.5 },
      { contentType: 'image/jpeg\r\nX-Evil: 1' },
      { contentType: '' },
    ]) {
      await expect(h.store.put('options/x', Readable.from([Buffer.from('x')]), options)).rejects.toBeInstanceOf(RangeError);
    }
  });
});
