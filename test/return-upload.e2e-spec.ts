import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { AppError } from '@holdfast/errors';
import { returnUploadProbe, ReturnUploadProbeModule } from './support/return-upload-probe.module';
import { createTestApp, type TestApp } from './support/test-app';
import { TestObjectStore, type TestObjectStoreOptions } from './support/test-object-store';
import { waitFor } from './support/wait';

const MiB = 1024 * 1024;
const ROUTE = '/v1/test-return-upload';
const FIELDS = {
  odometerKm: '42180',
  energyLevelPercent: '75.5',
  latitude: '52.3791',
  longitude: '-4.9003',
  notes: 'Scratch, left door 🚗',
};

/** A JPEG as phones write it: SOI, a JFIF APP0 segment, filler, EOI. */
function jpeg(size = 2048, fill = 0x11): Buffer {
  const head = Buffer.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00,
  ]);
  return Buffer.concat([head, Buffer.alloc(size - head.length - 2, fill), Buffer.from([0xff, 0xd9])]);
}

/** A PNG: the signature and a real IHDR chunk (1x1, RGB) with its CRC, then filler. */
function png(size = 2048, fill = 0x22): Buffer {
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  const type = Buffer.from('IHDR', 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([type, ihdr])));
  const length = Buffer.from([0, 0, 0, 13]);
  const head = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), length, type, ihdr, crc]);
  return Buffer.concat([head, Buffer.alloc(size - head.length, fill)]);
}

/** A HEIC: an ISO BMFF `ftyp` box (major brand, minor version, compatible brands), then filler. */
function heic(size = 2048, brand = 'heic', fill = 0x33): Buffer {
  const box = Buffer.concat([
    Buffer.from([0, 0, 0, 24]),
    Buffer.from(`ftyp${brand}`, 'latin1'),
    Buffer.alloc(4),
    Buffer.from('mif1heic', 'latin1'),
  ]);
  return Buffer.concat([box, Buffer.alloc(size - box.length, fill)]);
}

/** A small JPEG, a different one per index. */
const small = (i: number) => jpeg(2048 + i);

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface Photo {
  bytes: Buffer;
  filename: string;
  contentType?: string;
  /** The part's whole Content-Disposition value, instead of one built from `filename` (raw uploads). */
  disposition?: string;
}

const photos = (make: (i: number) => Buffer, n = 4, ext = 'jpg'): Photo[] =>
  Array.from({ length: n }, (_, i) => ({ bytes: make(i), filename: `side-${i + 1}.${ext}` }));

/**
 * readReturnUpload behind a route of the real app (body parsers, hostile-input guard,
 * exception filter), with a test object store: what a return accepts (photos recognised
 * by their bytes), what it refuses and with which code, that a refused or cut-off upload
 * leaves nothing stored, and that a photo streams to the store instead of being buffered.
 */
describe('the return upload (multipart, streamed to the object store)', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp({ imports: [ReturnUploadProbeModule] });
    await t.app.listen(0, '127.0.0.1');
    port = (t.app.getHttpServer().address() as AddressInfo).port;
  });
  afterAll(async () => t?.close());

  function useStore(options: TestObjectStoreOptions = {}): TestObjectStore {
    returnUploadProbe.store = new TestObjectStore(options);
    return returnUploadProbe.store;
  }
  beforeEach(() => {
    useStore();
    returnUploadProbe.outcomes = [];
    returnUploadProbe.options = {
      keyPrefix: 'rentals/r-1/returns/k-1',
      maxPhotoBytes: 10 * MiB,
      maxTotalBytes: 40 * MiB,
      minPhotos: 4,
    };
  });

  /** supertest's multipart: fields first, then the photos. */
  function send(files: Photo[], fields: Record<string, string> = FIELDS, photoField = 'photos') {
    let req = t.http.post(ROUTE);
    for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
    for (const p of files)
      req = req.attach(photoField, p.bytes, { filename: p.filename, contentType: p.contentType ?? 'image/jpeg' });
    return req;
  }

  /** After a refusal: nothing is stored, nothing is being stored, every key put was deleted. */
  async function expectNothingLeft(store = returnUploadProbe.store): Promise<void> {
    await waitFor('the upload to end', () => store.inFlight === 0 && returnUploadProbe.outcomes.length > 0, 15_000, 10);
    expect(store.keys()).toEqual([]);
    expect([...store.deletedKeys].sort()).toEqual([...store.putKeys].sort());
  }

  describe('accepted', () => {
    it.each([
      ['JPEG', (i: number) => jpeg(4096 + i), 'jpg', 'image/jpeg'],
      ['PNG', (i: number) => png(4096 + i), 'png', 'image/png'],
      ['HEIC (brand heic)', (i: number) => heic(4096 + i), 'heic', 'image/heic'],
      [
        'HEIC (brands mif1, hevc, heix, msf1)',
        (i: number) => heic(4096 + i, ['mif1', 'hevc', 'heix', 'msf1'][i]),
        'heic',
        'image/heic',
      ],
    ])('four %s photos and the readings: stored with their sha256, the fields parsed', async (_what, make, ext, type) => {
      const sent = photos(make, 4, ext);
      const res = await send(sent).expect(201);
      expect(res.body.fields).toEqual({
        odometerKm: 42180,
        energyLevelPercent: 75.5,
        latitude: 52.3791,
        longitude: -4.9003,
        notes: FIELDS.notes,
      });
      expect(res.body.photos).toEqual(
        sent.map((p) => ({
          key: expect.stringMatching(new RegExp(`^rentals/r-1/returns/k-1/[0-9a-f-]{36}\\.${ext}$`)),
          sha256: sha256(p.bytes),
          size: p.bytes.length,
          contentType: type,
          filename: p.filename,
        })),
      );
      const store = returnUploadProbe.store;
      expect(store.keys().sort()).toEqual(res.body.photos.map((p: { key: string }) => p.key).sort());
      for (const [i, p] of res.body.photos.entries()) expect(store.object(p.key)?.bytes?.equals(sent[i].bytes)).toBe(true);
    });

    it('never trusts a file name: a path and a NUL in an RFC 5987 name are cleaned, the key is ours', async () => {
      const sneaky = {
        bytes: jpeg(),
        filename: '',
        disposition: `form-data; name="photos"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd%00.jpg`,
      };
      const res = await rawUpload(port, multipart(FIELDS, [sneaky, ...photos(small, 3)]));
      expect(res.status).toBe(201);
      const [photo] = JSON.parse(res.body).photos;
      expect(photo.filename).toBe('passwd.jpg');
      expect(photo.key).toMatch(/^rentals\/r-1\/returns\/k-1\/[0-9a-f-]{36}\.jpg$/);
    });

    it('decides by the bytes: a PNG named .jpg and declared image/jpeg is stored as a PNG', async () => {
      const sent = [...photos((i) => jpeg(3000 + i), 3), { bytes: png(), filename: 'IMG_0004.jpg', contentType: 'image/jpeg' }];
      const res = await send(sent).expect(201);
      expect(res.body.photos[3]).toMatchObject({
        filename: 'IMG_0004.jpg',
        contentType: 'image/png',
        key: expect.stringMatching(/\.png$/),
      });
    });

    it('takes fields after the photos, no notes (null), and cleans file names (no path, no control characters)', async () => {
      const { notes: _notes, ...fields } = FIELDS;
      let req = t.http.post(ROUTE);
      for (const [i, p] of photos((i) => jpeg(2000 + i)).entries()) {
        req = req.attach('photos', p.bytes, {
          filename: i === 0 ? 'C:\\Users\\me\\front\t.jpg' : p.filename,
          contentType: 'image/jpeg',
        });
      }
      for (const [name, value] of Object.entries(fields)) req = req.field(name, value);
      const res = await req;
      expect(res.body).toMatchObject({ fields: { notes: null } });
      expect(res.status).toBe(201);
      expect(res.body.photos[0].filename).toBe('front.jpg');
    });
  });

  describe('refused, with nothing left stored', () => {
    it('a text file named .jpg: 400 naming the file, whatever its declared type; the photos before it deleted', async () => {
      const sent = [
        ...photos((i) => jpeg(3000 + i), 2),
        { bytes: Buffer.from('not a photo, just text\n'.repeat(50)), filename: 'door.jpg' },
      ];
      const res = await send([...sent, ...photos((i) => jpeg(3100 + i), 1)]).expect(400);
      expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', message: expect.stringContaining('"door.jpg"') });
      expect(res.body.message).toMatch(/not a JPEG, PNG or HEIC image/);
      await expectNothingLeft();
      expect(returnUploadProbe.store.putKeys.length).toBeGreaterThanOrEqual(2);
    });

    it.each([
      ['an MP4 (ftyp isom)', heic(4096, 'isom')],
      ['an AVIF (ftyp avif)', heic(4096, 'avif')],
      ['a GIF', Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(100)])],
      ['an empty file', Buffer.alloc(0)],
      ['two bytes of a JPEG', Buffer.from([0xff, 0xd8])],
    ])('%s: 400', async (_what, bytes) => {
      await send([...photos((i) => jpeg(3000 + i), 3), { bytes, filename: 'x.heic' }]).expect(400);
      await expectNothingLeft();
    });

    it('an 11 MB photo: 413 naming it, the photos stored before it deleted', async () => {
      const sent = [...photos((i) => jpeg(5000 + i), 2), { bytes: jpeg(11 * MiB), filename: 'huge.jpg' }, ...photos(small, 1)];
      const res = await send(sent).expect(413);
      expect(res.body).toMatchObject({ error: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('"huge.jpg"') });
      await expectNothingLeft();
      expect(returnUploadProbe.store.putKeys).toHaveLength(3);
    });

    it('five 9 MB photos (45 MB) with a Content-Length: 413 before anything is read', async () => {
      const res = await send(photos((i) => jpeg(9 * MiB, i), 5)).expect(413);
      expect(res.body.error).toBe('PAYLOAD_TOO_LARGE');
      expect(returnUploadProbe.store.putKeys).toEqual([]);
    });

    it('five 9 MB photos streamed without a Content-Length: 413 once past 40 MB, the four stored deleted', async () => {
      const store = useStore({ keepBytes: false });
      const { status, body } = await rawUpload(
        port,
        multipart(
          FIELDS,
          photos((i) => jpeg(9 * MiB, i), 5),
        ),
      );
      expect(status).toBe(413);
      expect(JSON.parse(body)).toMatchObject({
        error: 'PAYLOAD_TOO_LARGE',
        message: expect.stringMatching(/at most 41943040 bytes in all/),
      });
      await expectNothingLeft(store);
      expect(store.putKeys).toHaveLength(5);
    });

    it('three photos: 400, at least 4 are required', async () => {
      const res = await send(photos(small, 3)).expect(400);
      expect(res.body.details).toEqual([{ field: 'photos', message: 'at least 4 photos are required (3 sent)' }]);
      await expectNothingLeft();
    });

    it('thirteen photos: 400, at most 12', async () => {
      const res = await send(photos((i) => jpeg(1000 + i), 13)).expect(400);
      expect(res.body.message).toMatch(/at most 12 photos/);
      await expectNothingLeft();
    });

    it.each(
      [
        ['odometerKm', '-1'],
        ['odometerKm', '1.5'],
        ['odometerKm', '2000001'],
        ['odometerKm', '1e3'],
        ['odometerKm', ' 12'],
        ['energyLevelPercent', '100.5'],
        ['energyLevelPercent', 'full'],
        ['latitude', '90.5'],
        ['longitude', '-181'],
        ['longitude', '0x10'],
        ['notes', 'x'.repeat(2001)], // 2001 characters
        ['notes', 'nul \u0000 inside'],
      ].map(([field, value]) => [field, value.length > 20 ? `${value.length} characters` : JSON.stringify(value), value]),
    )('%s = %s: 400 naming the field', async (field, _shown, value) => {
      const res = await send(photos(small), { ...FIELDS, [field]: value }).expect(400);
      expect(res.body).toMatchObject({ error: 'VALIDATION_FAILED', details: [expect.objectContaining({ field })] });
      await expectNothingLeft();
    });

    it('a missing reading, an unknown field, a file in another field, text in photos: 400 each', async () => {
      const { latitude: _latitude, ...noLatitude } = FIELDS;
      const missing = await send(photos(small), noLatitude).expect(400);
      expect(missing.body.details).toEqual([{ field: 'latitude', message: 'latitude is required' }]);
      const unknown = await send(photos(small), { ...FIELDS, price: '0' }).expect(400);
      expect(unknown.body.details).toEqual([expect.objectContaining({ field: 'price' })]);
      const receipt = await send(photos(small), FIELDS, 'receipt').expect(400);
      expect(receipt.body.message).toMatch(/"receipt" is not a file field/);
      const text = await send(photos(small), { ...FIELDS, photos: 'x' }).expect(400);
      expect(text.body.message).toMatch(/must be files/);
      await expectNothingLeft();
    });

    it('a field sent twice: 400', async () => {
      const res = await rawUpload(port, multipart([...Object.entries(FIELDS), ['odometerKm', '1']], photos(small)));
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).message).toBe('odometerKm is sent twice');
    });

    it('not multipart/form-data: 400; JSON over 1 MB is still refused by the global limit (413)', async () => {
      const json = await t.http.post(ROUTE).send({ odometerKm: 1 }).expect(400);
      expect(json.body).toMatchObject({ error: 'VALIDATION_FAILED', message: expect.stringContaining('multipart/form-data') });
      await t.http.post(ROUTE).set('Content-Type', 'text/plain').send('hello').expect(400);
      await t.http.post(ROUTE).set('Content-Type', 'multipart/form-data').send('x').expect(400);
      const big = await t.http
        .post(ROUTE)
        .send({ notes: 'x'.repeat(1.5 * MiB) })
        .expect(413);
      expect(big.body.error).toBe('PAYLOAD_TOO_LARGE');
      expect(returnUploadProbe.store.putKeys).toEqual([]);
    });

    it('a body that ends before its closing boundary: 400, nothing left', async () => {
      const chunks = [...multipart(FIELDS, photos(small))];
      const res = await rawUpload(port, chunks.slice(0, -1)); // no closing boundary
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body).message).toMatch(/malformed/);
      await expectNothingLeft();
    });

    it('the store failing: 503, the photos stored before deleted', async () => {
      useStore({ failPut: 3 });
      const res = await send(photos((i) => jpeg(4000 + i))).expect(503);
      expect(res.body.error).toBe('SERVICE_UNAVAILABLE');
      await expectNothingLeft();
    });
  });

  it('a client that disconnects mid-upload leaves nothing stored', async () => {
    const store = useStore({ keepBytes: false });
    const chunks = multipart(
      FIELDS,
      photos((i) => jpeg(3 * MiB, i), 4),
    );
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: ROUTE, headers: multipartHeaders() });
    req.on('error', () => undefined); // we cut it
    let sent = 0;
    for (const chunk of chunks) {
      if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve));
      sent += chunk.length;
      if (sent > 7 * MiB) break; // two photos and part of the third
    }
    await waitFor(
      'the third photo to be on its way',
      () => store.putKeys.length >= 3 && store.receivedBytes > 6 * MiB,
      15_000,
      10,
    );
    req.destroy();
    await expectNothingLeft(store);
    const [outcome] = returnUploadProbe.outcomes;
    expect((outcome as { error: unknown }).error).toBeInstanceOf(AppError);
    expect((outcome as { error: AppError }).error.message).toMatch(/interrupted/);
  });

  it('streams a 9 MB photo: the store gets its bytes while the client still sends, and little waits in memory', async () => {
    let firstChunkAt = 0;
    let maxWaiting = 0;
    const store = useStore({
      keepBytes: false,
      delayPerChunkMs: 1, // slower than the client, so anything that buffered would show
      onChunk: () => {
        firstChunkAt ||= performance.now();
        // Bytes read off the socket that the store has not taken yet: what sits in memory.
        maxWaiting = Math.max(maxWaiting, returnUploadProbe.request!.socket.bytesRead - store.receivedBytes);
      },
    });
    const big = { bytes: jpeg(9 * MiB), filename: 'big.jpg' };
    let clientDoneAt = 0;
    const res = await rawUpload(port, multipart(FIELDS, [big, ...photos(small, 3)]), () => (clientDoneAt = performance.now()));
    expect(res.status).toBe(201);
    expect(JSON.parse(res.body).photos[0]).toMatchObject({ size: 9 * MiB, sha256: sha256(big.bytes) });
    expect(firstChunkAt).toBeGreaterThan(0);
    expect(firstChunkAt).toBeLessThan(clientDoneAt);
    expect(maxWaiting).toBeLessThan(2 * MiB); // a buffered photo would put ~9 MB here
  });
});

const BOUNDARY = '----holdfast-test-boundary-7d1f';

function multipartHeaders(): http.OutgoingHttpHeaders {
  return { 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}`, 'Transfer-Encoding': 'chunked' };
}

/** A multipart body as chunks (each photo in 256 KiB pieces), fields first. */
function* multipart(fields: Record<string, string> | [string, string][], files: Photo[]): Generator<Buffer> {
  for (const [name, value] of Array.isArray(fields) ? fields : Object.entries(fields)) {
    yield Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`);
  }
  for (const p of files) {
    yield Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: ${p.disposition ?? `form-data; name="photos"; filename="${p.filename}"`}\r\nContent-Type: ${p.contentType ?? 'image/jpeg'}\r\n\r\n`,
    );
    for (let at = 0; at < p.bytes.length; at += 256 * 1024) yield p.bytes.subarray(at, at + 256 * 1024);
    yield Buffer.from('\r\n');
  }
  yield Buffer.from(`--${BOUNDARY}--\r\n`);
}

/** Posts chunks with Transfer-Encoding: chunked (no Content-Length), honouring backpressure. */
async function rawUpload(
  port: number,
  chunks: Iterable<Buffer>,
  sentAll?: () => void,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: ROUTE, headers: multipartHeaders() }, (res) => {
      const body: Buffer[] = [];
      res.on('data', (chunk: Buffer) => body.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(body).toString('utf8') }));
    });
    req.on('error', reject);
    void (async () => {
      for (const chunk of chunks) {
        if (req.destroyed) return;
        if (!req.write(chunk)) await new Promise((r) => req.once('drain', r));
      }
      req.end();
      sentAll?.();
    })();
  });
}
