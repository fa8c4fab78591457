import { createHash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { ObjectTooLargeError, type PutOptions } from './object-store';

/**
 * Passes bytes through while counting them and hashing them (sha256), and fails with
 * ObjectTooLargeError as soon as they pass `maxBytes`: the limit is enforced on the stream,
 * never by reading the body first.
 */
export class DigestMeter extends Transform {
  private readonly hash = createHash('sha256');
  private hex: string | null = null;
  /** Bytes that went through so far. */
  bytes = 0;
  /** Set when the limit was passed. */
  tooLarge: ObjectTooLargeError | null = null;

  constructor(private readonly maxBytes: number | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.maxBytes !== undefined && this.bytes > this.maxBytes) {
      this.tooLarge = new ObjectTooLargeError(this.maxBytes);
      callback(this.tooLarge);
      return;
    }
    this.hash.update(chunk);
    callback(null, chunk);
  }

  /** The sha256 of every byte (hex); call once the stream has ended. */
  sha256(): string {
    this.hex ??= this.hash.digest('hex');
    return this.hex;
  }
}

/** The caller's body piped into a meter, and how to let go of it. */
export interface Feed {
  meter: DigestMeter;
  /** The error the body itself emitted (the uploader went away), if it did. */
  bodyError(): unknown;
  /** Stops reading the body (unpiped, our listener removed); the caller keeps the stream. */
  release(): void;
}

/**
 * Pipes `body` into a new meter. An error of the body fails the meter with that same error
 * (so the caller sees it unchanged). The body is never destroyed here: after a failure it is
 * unpiped and left to the caller (drain it with `resume()` or destroy it).
 */
export function feed(body: Readable, options: PutOptions): Feed {
  checkPutOptions(options);
  const meter = new DigestMeter(options.maxBytes);
  let failure: unknown;
  const onError = (error: unknown) => {
    failure ??= error;
    meter.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  body.on('error', onError);
  // Its consumer (the file write, the upload) reports its errors; this keeps an error that
  // comes before the consumer is attached (a small body over the limit) from going unhandled.
  meter.on('error', () => undefined);
  body.pipe(meter);
  return {
    meter,
    bodyError: () => failure,
    release() {
      body.off('error', onError);
      body.unpipe(meter);
    },
  };
}

function checkPutOptions(options: PutOptions): void {
  const { maxBytes, contentType } = options;
  if (maxBytes !== undefined && !(Number.isSafeInteger(maxBytes) && maxBytes >= 0)) {
    throw new RangeError(`maxBytes must be a non-negative integer (got ${maxBytes})`);
  }
  if (typeof contentType !== 'string' || !/^[\x21-\x7e][\x20-\x7e]{0,254}$/.test(contentType)) {
    throw new RangeError('contentType must be a printable ASCII media type');
  }
}
