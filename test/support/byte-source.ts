import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';

export interface ByteSource {
  stream: Readable;
  /** Bytes handed out so far (the store pulled them). */
  produced(): number;
  /** The sha256 (hex) of what was handed out, computed on the way: the test never holds the body either. */
  sha256(): string;
}

/**
 * `size` random bytes, made on demand in chunks of `chunkBytes` (64 KiB) as the reader pulls
 * them, so a test can tell how far ahead of the store its reader got. `onChunk` runs before
 * each chunk with the bytes produced so far (await it to look at the store mid-stream);
 * `failAt` makes the stream fail with that error once that many bytes were produced.
 */
export function byteSource(
  size: number,
  options: {
    chunkBytes?: number;
    onChunk?: (produced: number) => Promise<void> | void;
    failAt?: { bytes: number; error: Error };
  } = {},
): ByteSource {
  const chunkBytes = options.chunkBytes ?? 64 * 1024;
  const hash = createHash('sha256');
  let produced = 0;
  let hex: string | null = null;
  const stream = new Readable({
    highWaterMark: chunkBytes,
    read() {
      void (async () => {
        await options.onChunk?.(produced);
        if (options.failAt && produced >= options.failAt.bytes) return this.destroy(options.failAt.error);
        if (produced >= size) return this.push(null);
        const chunk = randomBytes(Math.min(chunkBytes, size - produced));
        produced += chunk.length;
        hash.update(chunk);
        this.push(chunk);
      })();
    },
  });
  return {
    stream,
    produced: () => produced,
    sha256: () => (hex ??= hash.digest('hex')),
  };
}

/** The sha256 (hex) and size of a stream, read to its end without keeping it. */
export async function digestOf(stream: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** A whole (small) stream as one Buffer. */
export async function bytesOf(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
