import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rename, rm, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { feed } from './digest-meter';
import { assertObjectKey, InvalidObjectKeyError } from './object-key';
import type { ObjectStore, PutOptions, StoredObject } from './object-store';
import { ObjectStoreError } from './object-store.errors';

/** Where `npm start` keeps objects: beside the embedded PostgreSQL, under `.data/` (git-ignored). */
export const DEFAULT_LOCAL_ROOT = '.data/objects';

export interface LocalObjectStoreOptions {
  /** The directory objects live under (created on the first put). Default `.data/objects`. */
  root?: string;
}

/**
 * Objects as files under one directory, for development and tests: a key `a/b.jpg` is the
 * file `<root>/a/b.jpg`. A put streams to a temp file in the target's directory and renames
 * it over the target once complete (readers see the old object or the new one, never half
 * of one); its sha256 and size are computed on the way, and `maxBytes` stops it on the way.
 * Not for production: one pod's disk, unencrypted, invisible to other replicas (the
 * configuration refuses it with NODE_ENV=production).
 */
export class LocalObjectStore implements ObjectStore {
  readonly kind = 'local' as const;
  /** The absolute root directory. */
  readonly root: string;

  constructor(options: LocalObjectStoreOptions = {}) {
    this.root = resolve(options.root ?? DEFAULT_LOCAL_ROOT);
  }

  async put(key: string, body: Readable, options: PutOptions): Promise<StoredObject> {
    const path = this.pathOf(key);
    const { meter, bodyError, release } = feed(body, options);
    let temp: string | null = null;
    try {
      const dir = dirname(path);
      await mkdir(dir, { recursive: true, mode: 0o700 });
      // A dot first: never a valid key, so a crash can leave a temp file but never a wrong object.
      temp = join(dir, `.${basename(path)}.${randomUUID()}.tmp`);
      // flush: fsync before close, so the rename publishes bytes that are on disk.
      await pipeline(meter, createWriteStream(temp, { flags: 'wx', mode: 0o600, flush: true }));
      await rename(temp, path);
      temp = null;
      return { key, size: meter.bytes, sha256: meter.sha256(), contentType: options.contentType };
    } catch (error) {
      meter.destroy();
      if (temp !== null) await rm(temp, { force: true });
      if (meter.tooLarge) throw meter.tooLarge;
      if (bodyError() !== undefined && error === bodyError()) throw error;
      throw new ObjectStoreError('put', key, 'error', messageOf(error), { cause: error });
    } finally {
      release();
    }
  }

  async get(key: string): Promise<Readable | null> {
    const path = this.pathOf(key);
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      if (isMissing(error)) return null;
      throw new ObjectStoreError('get', key, 'error', messageOf(error), { cause: error });
    }
    // Opened first, so a put renaming over it or a delete now cannot cut the stream short.
    const stats = await handle.stat();
    if (!stats.isFile()) {
      await handle.close(); // a directory: a prefix of other keys, not an object
      return null;
    }
    return handle.createReadStream();
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    try {
      await unlink(path);
    } catch (error) {
      if (isMissing(error) || (error as NodeJS.ErrnoException).code === 'EISDIR') return;
      throw new ObjectStoreError('delete', key, 'error', messageOf(error), { cause: error });
    }
  }

  /** The file of a key, checked to lie under the root (the key rules already make that so). */
  private pathOf(key: string): string {
    assertObjectKey(key);
    const path = resolve(this.root, ...key.split('/'));
    if (!path.startsWith(this.root + sep)) throw new InvalidObjectKeyError(key, 'resolves outside the store');
    return path;
  }
}

/** No such file, or a path through a file (`a/b` when `a` is an object). */
function isMissing(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
