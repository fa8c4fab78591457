import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { ObjectTooLargeError, type ObjectStore, type PutOptions, type StoredObject } from '@holdfast/object-store';

export interface TestObjectStoreOptions {
  /** Keep the bytes (default true); false keeps only size and hash, for uploads too large to hold twice. */
  keepBytes?: boolean;
  /** Told about every chunk a put receives (before the store takes the next). */
  onChunk?: (key: string, chunk: Buffer) => void;
  /** Waits this long after each chunk: a slow store, so backpressure shows. */
  delayPerChunkMs?: number;
  /** The n-th put (1-based) fails after reading a little, as a store going down would. */
  failPut?: number;
}

interface Kept extends StoredObject {
  bytes: Buffer | null;
}

/**
 * TEST ONLY: an in-memory ObjectStore (the port of libs/object-store) that records what
 * happens to it, so a test can prove a return upload streams (chunks arrive while the
 * client still sends) and leaves nothing behind (every key put is deleted on failure).
 * A put reads its body as a stream, hashes it, enforces `maxBytes` like the real adapters
 * (ObjectTooLargeError, nothing kept) and keeps the object only once the body ended; a body
 * that fails makes the put reject with its error, keeping nothing.
 */
export class TestObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  private readonly objects = new Map<string, Kept>();
  /** Every key a put started for, in order. */
  readonly putKeys: string[] = [];
  /** Every key deleted, in order. */
  readonly deletedKeys: string[] = [];
  /** Puts started and not yet over. */
  inFlight = 0;
  /** Bytes received by every put so far. */
  receivedBytes = 0;

  constructor(private readonly options: TestObjectStoreOptions = {}) {}

  async put(key: string, body: Readable, options: PutOptions): Promise<StoredObject> {
    this.putKeys.push(key);
    const ordinal = this.putKeys.length;
    this.inFlight++;
    try {
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of body as AsyncIterable<Buffer>) {
        size += chunk.length;
        this.receivedBytes += chunk.length;
        if (options.maxBytes !== undefined && size > options.maxBytes) {
          body.destroy();
          throw new ObjectTooLargeError(options.maxBytes);
        }
        if (this.options.failPut === ordinal && size > 0) {
          body.destroy();
          throw new Error('the test store failed (failPut)');
        }
        hash.update(chunk);
        if (this.options.keepBytes !== false) chunks.push(chunk);
        this.options.onChunk?.(key, chunk);
        if (this.options.delayPerChunkMs) await sleep(this.options.delayPerChunkMs);
      }
      const stored: Kept = {
        key,
        size,
        sha256: hash.digest('hex'),
        contentType: options.contentType,
        bytes: this.options.keepBytes === false ? null : Buffer.concat(chunks),
      };
      this.objects.set(key, stored);
      const { bytes: _bytes, ...object } = stored;
      return object;
    } finally {
      this.inFlight--;
    }
  }

  async get(key: string): Promise<Readable | null> {
    const kept = this.objects.get(key);
    return kept?.bytes ? Readable.from([kept.bytes]) : null;
  }

  async delete(key: string): Promise<void> {
    this.deletedKeys.push(key);
    this.objects.delete(key);
  }

  /** The keys stored now. */
  keys(): string[] {
    return [...this.objects.keys()];
  }

  /** What is stored under `key` (bytes null with keepBytes false). */
  object(key: string): Kept | undefined {
    return this.objects.get(key);
  }
}
