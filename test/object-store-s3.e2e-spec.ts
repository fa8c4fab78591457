import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  LocalObjectStore,
  OBJECT_STORE,
  ObjectStoreError,
  S3ObjectStore,
  type ObjectStore,
  type S3ObjectStoreOptions,
} from '@holdfast/object-store';
import type { BreakerStateEvent, IntegrationOutcomeEvent } from '@holdfast/resilience';
import { byteSource, bytesOf } from './support/byte-source';
import { startFakeS3, type FakeS3 } from './support/fake-s3';
import { createTestApp } from './support/test-app';

/**
 * What only the S3 store does, against the fake S3-compatible server: encryption asked for
 * on every write (the fake, like a bucket policy, refuses a write without it) and confirmed,
 * SHA-256 checksums, credentials refused with a clear error, a store that is down, slow or
 * failing (errors, never a hang; the breaker), and the app's wiring by OBJECT_STORE.
 */

const MIB = 1024 * 1024;
const body = (text: string) => Readable.from([Buffer.from(text)]);

describe('S3ObjectStore against the fake S3', () => {
  let fake: FakeS3;
  const stores: S3ObjectStore[] = [];
  beforeAll(async () => {
    fake = await startFakeS3();
  });
  afterEach(() => {
    fake.mode('ok');
  });
  afterAll(async () => {
    for (const store of stores) store.destroy();
    await fake.stop();
  });

  function storeWith(overrides: Partial<S3ObjectStoreOptions> = {}): S3ObjectStore {
    const store = new S3ObjectStore({
      bucket: fake.bucket,
      region: fake.region,
      endpoint: fake.endpoint,
      credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey },
      encryption: { algorithm: 'AES256' },
      requestTimeoutMs: 10_000, // the library default: an 11 MiB multipart upload (hashed twice) took over 2 s on a loaded CI run
      maxAttempts: 1,
      ...overrides,
    });
    stores.push(store);
    return store;
  }

  it('asks for server-side encryption on every write and sends each part with its SHA-256 checksum', async () => {
    const store = storeWith();
    const from = fake.requests.length;
    await store.put('enc/small.jpg', body('small'), { contentType: 'image/jpeg' });
    const source = byteSource(11 * MIB);
    await store.put('enc/large.jpg', source.stream, { contentType: 'image/jpeg' });
    const sent = fake.requests.slice(from);
    expect(sent.map((r) => r.operation)).toEqual([
      'PutObject',
      'CreateMultipartUpload',
      'UploadPart',
      'UploadPart',
      'UploadPart',
      'CompleteMultipartUpload',
    ]);
    expect(sent.every((r) => r.status === 200)).toBe(true);
    for (const r of sent.filter((r) => r.operation === 'PutObject' || r.operation === 'CreateMultipartUpload')) {
      expect(r.sse).toBe('AES256');
    }
    expect(sent.filter((r) => r.operation === 'PutObject' || r.operation === 'UploadPart').every((r) => r.checksum)).toBe(true);
    expect(fake.objects.get('enc/small.jpg')).toMatchObject({ sse: 'AES256', contentType: 'image/jpeg' });
    expect(fake.objects.get('enc/large.jpg')).toMatchObject({ sse: 'AES256', contentType: 'image/jpeg' });
  });

  it('the fake refuses an unencrypted upload, as a bucket policy denying them does', async () => {
    const client = new S3Client({
      region: fake.region,
      endpoint: fake.endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey },
      maxAttempts: 1,
    });
    try {
      await expect(
        client.send(new PutObjectCommand({ Bucket: fake.bucket, Key: 'enc/plain.txt', Body: 'plain' })),
      ).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
      expect(fake.objects.has('enc/plain.txt')).toBe(false);
    } finally {
      client.destroy();
    }
  });

  it('uses SSE-KMS with the configured key when asked', async () => {
    const store = storeWith({ encryption: { algorithm: 'aws:kms', kmsKeyId: 'alias/holdfast-photos' } });
    await store.put('enc/kms.jpg', body('kms'), { contentType: 'image/jpeg' });
    expect(fake.objects.get('enc/kms.jpg')).toMatchObject({ sse: 'aws:kms', kmsKeyId: 'alias/holdfast-photos' });
  });

  it('fails a write the store did not confirm as encrypted, and deletes what it stored', async () => {
    const store = storeWith();
    fake.mode('ignore_sse');
    const put = store.put('enc/ignored.jpg', body('not encrypted'), { contentType: 'image/jpeg' });
    await expect(put).rejects.toBeInstanceOf(ObjectStoreError);
    await expect(put).rejects.toMatchObject({ operation: 'put', failure: 'not_encrypted' });
    expect(fake.objects.has('enc/ignored.jpg')).toBe(false);
  });

  it('aborts the multipart upload when the body passes maxBytes after some parts were sent', async () => {
    const store = storeWith();
    const from = fake.requests.length;
    const source = byteSource(20 * MIB);
    await expect(
      store.put('limit/big.jpg', source.stream, { contentType: 'image/jpeg', maxBytes: 12 * MIB }),
    ).rejects.toMatchObject({
      name: 'ObjectTooLargeError',
    });
    source.stream.destroy();
    const operations = fake.requests.slice(from).map((r) => r.operation);
    expect(operations).toEqual(['CreateMultipartUpload', 'UploadPart', 'UploadPart', 'AbortMultipartUpload']);
    expect(fake.uploads.size).toBe(0);
    expect(fake.objects.has('limit/big.jpg')).toBe(false);
  });

  it('says clearly when the credentials are wrong, and never shows the secret', async () => {
    await storeWith().put('creds/x.txt', body('x'), { contentType: 'text/plain' });
    const unknownKey = storeWith({ credentials: { accessKeyId: 'AKIAUNKNOWN000000000', secretAccessKey: fake.secretAccessKey } });
    const wrongSecret = storeWith({
      credentials: { accessKeyId: fake.accessKeyId, secretAccessKey: 'wrong-secret-do-not-print' },
    });
    for (const [store, code] of [
      [unknownKey, 'InvalidAccessKeyId'],
      [wrongSecret, 'SignatureDoesNotMatch'],
    ] as const) {
      for (const call of [
        () => store.put('creds/y.txt', body('y'), { contentType: 'text/plain' }),
        () => store.get('creds/x.txt'),
        () => store.delete('creds/x.txt'),
      ]) {
        const error = (await call().catch((e: unknown) => e)) as ObjectStoreError;
        expect(error).toBeInstanceOf(ObjectStoreError);
        expect(error.failure).toBe('refused');
        expect(error.message).toContain(`${code} (HTTP 403)`);
        expect(error.message).not.toContain('do-not-print');
        expect(error.message).not.toContain(fake.secretAccessKey);
      }
    }
    expect(fake.objects.has('creds/x.txt')).toBe(true); // the refused delete deleted nothing
    expect(fake.objects.has('creds/y.txt')).toBe(false);
  });

  it('fails fast with an error, not a hang, when the store is down, and works again once it is back', async () => {
    const store = storeWith({ maxAttempts: 2, breaker: { threshold: 10, halfOpenAfterMs: 1000 } });
    await store.put('down/x.txt', body('x'), { contentType: 'text/plain' });
    await fake.down();
    try {
      const started = Date.now();
      for (const call of [
        () => store.put('down/y.txt', body('y'), { contentType: 'text/plain' }),
        () => store.get('down/x.txt'),
        () => store.delete('down/x.txt'),
      ]) {
        await expect(call()).rejects.toMatchObject({ name: 'ObjectStoreError', failure: 'unreachable' });
      }
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await fake.up();
    }
    expect((await bytesOf((await store.get('down/x.txt'))!)).toString()).toBe('x');
  });

  it('times out a store that does not answer: each request within S3_TIMEOUT_MS', async () => {
    const store = storeWith({ requestTimeoutMs: 300 });
    fake.mode('slow', { delayMs: 10_000 });
    const started = Date.now();
    await expect(store.get('slow/x.txt')).rejects.toMatchObject({ name: 'ObjectStoreError', failure: 'timeout' });
    await expect(store.put('slow/y.txt', body('y'), { contentType: 'text/plain' })).rejects.toMatchObject({ failure: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('retries a 5xx within the SDK, reports every attempt, and opens its breaker after repeated failures', async () => {
    const outcomes: IntegrationOutcomeEvent[] = [];
    const breaker: BreakerStateEvent[] = [];
    const store = storeWith({
      maxAttempts: 2,
      breaker: { threshold: 3, halfOpenAfterMs: 60_000 },
      integrationName: 'object_store_test',
      observer: { outcome: (e) => void outcomes.push(e), breakerStateChanged: (e) => void breaker.push(e) },
    });
    fake.mode('error', { status: 503 });
    const from = fake.requests.length;
    await expect(store.get('flaky/x.txt')).rejects.toMatchObject({
      failure: 'error',
      message: expect.stringContaining('HTTP 503'),
    });
    expect(fake.requests.length - from).toBe(2); // the SDK's retry
    // The third failed request opens the breaker: the SDK's retry of it is refused without a request.
    await expect(store.delete('flaky/x.txt')).rejects.toMatchObject({ failure: 'breaker_open' });
    expect(fake.requests.length - from).toBe(3);
    expect(store.breakerState).toBe('open');
    await expect(store.get('flaky/x.txt')).rejects.toMatchObject({ failure: 'breaker_open' });
    expect(fake.requests.length - from).toBe(3);
    expect(outcomes.map((o) => o.outcome)).toEqual(['failure', 'failure', 'failure', 'breaker_open', 'breaker_open']);
    expect(outcomes.every((o) => o.integration === 'object_store_test')).toBe(true);
    expect(breaker).toContainEqual({ integration: 'object_store_test', from: 'closed', to: 'open' });
  });
});

describe('the app wires the store OBJECT_STORE names', () => {
  let fake: FakeS3;
  beforeAll(async () => {
    fake = await startFakeS3();
  });
  afterAll(() => fake.stop());

  it('OBJECT_STORE=s3: the bucket, registered as the object_store integration', async () => {
    const t = await createTestApp({
      env: {
        OBJECT_STORE: 's3',
        S3_ENDPOINT: fake.endpoint,
        S3_REGION: fake.region,
        S3_BUCKET: fake.bucket,
        S3_ACCESS_KEY_ID: fake.accessKeyId,
        S3_SECRET_ACCESS_KEY: fake.secretAccessKey,
        S3_SSE: 'aws:kms',
        S3_SSE_KMS_KEY_ID: 'alias/holdfast',
        S3_TIMEOUT_MS: '2000',
      },
    });
    try {
      const store = t.app.get<ObjectStore>(OBJECT_STORE);
      expect(store).toBeInstanceOf(S3ObjectStore);
      const bytes = randomBytes(2048);
      await store.put('app/photo.png', Readable.from([bytes]), { contentType: 'image/png' });
      expect(fake.objects.get('app/photo.png')).toMatchObject({ sse: 'aws:kms', kmsKeyId: 'alias/holdfast' });
      expect((await bytesOf((await store.get('app/photo.png'))!)).equals(bytes)).toBe(true);
      const admin = `Bearer ${t.token('ops', ['admin'])}`;
      const { integrations } = (await t.http.get('/v1/admin/integrations').set('Authorization', admin).expect(200)).body as {
        integrations: {
          name: string;
          kind: string;
          breakerState: string;
          window: { calls: number; outcomes: { success: number } };
        }[];
      };
      expect(integrations.find((i) => i.name === 'object_store')).toMatchObject({
        kind: 'storage',
        breakerState: 'closed',
        window: { calls: 2, outcomes: { success: 2 } },
      });
    } finally {
      await t.close();
    }
  });

  it('OBJECT_STORE unset: files under OBJECT_STORE_DIR', async () => {
    const t = await createTestApp();
    try {
      const store = t.app.get<ObjectStore>(OBJECT_STORE);
      expect(store).toBeInstanceOf(LocalObjectStore);
      expect((store as LocalObjectStore).root).toBe(t.config.OBJECT_STORE_DIR);
      await store.put('app/note.txt', body('hello'), { contentType: 'text/plain' });
      expect((await bytesOf((await store.get('app/note.txt'))!)).toString()).toBe('hello');
    } finally {
      await t.close();
    }
  });
});
