import type { Readable } from 'node:stream';

/**
 * Where uploaded files live (return photos): local disk under `.data/` in development,
 * an S3-compatible bucket with server-side encryption in production (seed 001:
 * encryption at rest). Bodies are streams end to end: nothing is buffered whole.
 */
export const OBJECT_STORE = Symbol('OBJECT_STORE');

/** What the store kept: the key, its size and the sha256 of its bytes (hex). */
export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
  contentType: string;
}

export interface PutOptions {
  contentType: string;
  /** The stream fails with ObjectTooLargeError past this many bytes; nothing is kept. */
  maxBytes?: number;
}

export interface ObjectStore {
  readonly kind: 'local' | 's3';
  /** Streams `body` to `key` (replacing what was there), hashing as it goes. */
  put(key: string, body: Readable, options: PutOptions): Promise<StoredObject>;
  /** The object's bytes, or null when there is no such key. */
  get(key: string): Promise<Readable | null>;
  /** Removes the key; a missing key is not an error. */
  delete(key: string): Promise<void>;
}

/** A body went past `maxBytes`. */
export class ObjectTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`The object is larger than ${maxBytes} bytes`);
    this.name = 'ObjectTooLargeError';
  }
}
