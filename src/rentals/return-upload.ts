import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { Logger } from '@nestjs/common';
import busboy, { type Busboy, type FieldInfo, type FileInfo } from 'busboy';
import { AppError } from '@holdfast/errors';
import { ObjectTooLargeError, type ObjectStore } from '@holdfast/object-store';
import type { RentalsConfig } from './rentals.config';
import { RETURN_PHOTO_FIELD, RETURN_TEXT_FIELDS, ReturnFieldsReader, type ReturnFields } from './return-fields';

/** What a photo is, by its first bytes (never by its name or declared type). */
export type ReturnPhotoType = 'image/jpeg' | 'image/png' | 'image/heic';

export interface ReturnUploadOptions {
  /** Where the photos go in the store: `<keyPrefix>/<uuid>.<jpg|png|heic>`. Letters, digits, `/ _ . -`; no `..`. */
  keyPrefix: string;
  /** Per photo (RETURN_PHOTO_MAX_BYTES): past it, 413 PAYLOAD_TOO_LARGE. */
  maxPhotoBytes: number;
  /** Photos and field values together (RETURN_UPLOAD_MAX_BYTES): past it, 413. */
  maxTotalBytes: number;
  /** Photos needed at least (RETURN_MIN_PHOTOS): fewer, 400. */
  minPhotos: number;
  /** Photos accepted at most (default 12): more, 400. */
  maxPhotos?: number;
  /** Text parts accepted at most, repeats included (default 10): more, 400. */
  maxFields?: number;
  /** `notes` in characters (default 2000). */
  maxNotesLength?: number;
}

export interface ReturnPhoto {
  /** The object store key. */
  key: string;
  /** Hex sha256 of the bytes, as the store computed it while storing. */
  sha256: string;
  size: number;
  contentType: ReturnPhotoType;
  /** The client's file name, cleaned (no path, no control characters, at most 255 characters). */
  filename: string;
}

export interface ReturnUpload {
  fields: ReturnFields;
  /** In the order they were sent. */
  photos: ReturnPhoto[];
}

const DEFAULT_MAX_PHOTOS = 12;
const DEFAULT_MAX_FIELDS = 10;
const DEFAULT_MAX_NOTES = 2000;
/** A field value's bytes at most (notes: 2000 characters of up to 4 UTF-8 bytes each). */
const MAX_FIELD_BYTES = 8 * 1024;
/** What a Content-Length may exceed maxTotalBytes by (part headers, boundaries) before it is refused unread. */
const ENVELOPE_BYTES = 256 * 1024;
/** Bytes needed to recognise every accepted type (an ISO BMFF `ftyp` box's brand ends at byte 12). */
const SNIFF_BYTES = 12;
const HEIC_BRANDS = new Set(['heic', 'heix', 'hevc', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1']);
const EXTENSION: Record<ReturnPhotoType, string> = { 'image/jpeg': 'jpg', 'image/png': 'png', 'image/heic': 'heic' };
const KEY_PREFIX = /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,400}$/;

const logger = new Logger('ReturnUpload');

/** The upload limits RETURN_* give, for photos stored under `keyPrefix`. */
export function returnUploadOptions(config: RentalsConfig, keyPrefix: string): ReturnUploadOptions {
  return {
    keyPrefix,
    maxPhotoBytes: config.returnPhotoMaxBytes,
    maxTotalBytes: config.returnUploadMaxBytes,
    minPhotos: config.returnMinPhotos,
  };
}

/** What the first bytes of a file say it is, or null for anything but JPEG, PNG and HEIC. */
export function detectImageType(head: Buffer): ReturnPhotoType | null {
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'image/jpeg';
  if (head.length >= 8 && head.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) {
    return 'image/png';
  }
  if (head.length >= SNIFF_BYTES && head.toString('latin1', 4, 8) === 'ftyp') {
    // An ftyp box: size, 'ftyp', major brand, minor version, then 4-byte compatible brands.
    const size = head.readUInt32BE(0);
    if (size >= 16 && size <= 4096 && size % 4 === 0 && HEIC_BRANDS.has(head.toString('latin1', 8, 12))) return 'image/heic';
  }
  return null;
}

/**
 * Reads a return's multipart body (DESIGN.md section 12) straight from the request, storing
 * each photo as it arrives: its bytes go through a sniffer (the first 12 bytes decide JPEG,
 * PNG or HEIC, whatever the name or declared type) and a byte counter into `store.put`,
 * never whole in memory. Resolves once every part is read and every photo stored.
 *
 * On any failure every photo stored or being stored is deleted before the promise rejects
 * (no orphans) and the rest of the body is discarded. Errors are AppErrors:
 * - 400 VALIDATION_FAILED: not multipart/form-data; malformed multipart; a file that is
 *   not an image (named); an unknown field, a file in another field than `photos`, a field
 *   twice, a missing or invalid field; fewer than `minPhotos` or more than `maxPhotos`
 *   photos; an upload cut off by the client;
 * - 413 PAYLOAD_TOO_LARGE: a photo over `maxPhotoBytes` (named), or the upload over
 *   `maxTotalBytes` (a Content-Length that says so is refused before reading);
 * - 503 SERVICE_UNAVAILABLE: the store failed.
 *
 * The request's body must be unread: the app's JSON and urlencoded parsers leave multipart
 * alone (docs/telematics.md, "The return upload"). When the caller fails after this
 * resolved, it deletes the photos itself (`deleteReturnPhotos`).
 */
export async function readReturnUpload(
  req: IncomingMessage,
  store: ObjectStore,
  options: ReturnUploadOptions,
): Promise<ReturnUpload> {
  const limits = checkOptions(options);
  const contentType = req.headers['content-type'] ?? '';
  if (!/^multipart\/form-data\s*;/i.test(contentType) || !/;\s*boundary=/i.test(contentType)) {
    throw new AppError('VALIDATION_FAILED', 'A return is sent as multipart/form-data (with a boundary)', [
      { field: 'Content-Type', message: 'must be multipart/form-data' },
    ]);
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxTotalBytes + ENVELOPE_BYTES) {
    throw new AppError('PAYLOAD_TOO_LARGE', `A return upload is at most ${limits.maxTotalBytes} bytes in all`);
  }
  if (req.readableEnded || req.destroyed) throw new Error('readReturnUpload needs an unread request body');
  return new ReturnUploadReader(req, store, limits).read();
}

/** Deletes stored return photos (a caller that fails after readReturnUpload resolved); never throws. */
export async function deleteReturnPhotos(store: ObjectStore, photos: readonly { key: string }[]): Promise<void> {
  await deleteAll(
    store,
    photos.map((photo) => photo.key),
  );
}

type Limits = Required<ReturnUploadOptions>;

interface Slot {
  index: number;
  filename: string;
  size: number;
  /** The stream store.put reads, once the type is known. */
  body: Readable | null;
  /** busboy's stream of the part, until it is handed on. */
  file: Readable;
  result: Promise<ReturnPhoto>;
}

/** One upload's state: the parser, the photos on their way to the store, the fields, the first failure. */
class ReturnUploadReader {
  private parser!: Busboy;
  private readonly slots: Slot[] = [];
  private readonly keys: string[] = [];
  private readonly fields: ReturnFieldsReader;
  private totalBytes = 0;
  private failure: AppError | null = null;
  private finishing = false;
  private settle!: { resolve: (upload: ReturnUpload) => void; reject: (error: unknown) => void };

  constructor(
    private readonly req: IncomingMessage,
    private readonly store: ObjectStore,
    private readonly limits: Limits,
  ) {
    this.fields = new ReturnFieldsReader(limits.maxNotesLength);
  }

  read(): Promise<ReturnUpload> {
    return new Promise<ReturnUpload>((resolve, reject) => {
      this.settle = { resolve, reject };
      try {
        this.parser = busboy({
          headers: this.req.headers,
          defParamCharset: 'utf8', // file names as phones send them
          limits: {
            fileSize: this.limits.maxPhotoBytes + 1, // a backstop: the counter refuses at maxPhotoBytes + 1
            files: this.limits.maxPhotos,
            fields: this.limits.maxFields,
            parts: this.limits.maxPhotos + this.limits.maxFields,
            fieldSize: MAX_FIELD_BYTES,
            headerPairs: 20,
          },
        });
      } catch (error) {
        reject(new AppError('VALIDATION_FAILED', `The multipart body cannot be read: ${(error as Error).message}`));
        return;
      }
      const tooMany = (what: string) => () => this.fail(new AppError('VALIDATION_FAILED', what));
      this.parser.on('file', (name, file, info) => this.onFile(name, file, info));
      this.parser.on('field', (name, value, info) => this.onField(name, value, info));
      this.parser.on('filesLimit', tooMany(`A return has at most ${this.limits.maxPhotos} photos`));
      this.parser.on('fieldsLimit', tooMany(`A return has at most ${this.limits.maxFields} text fields`));
      this.parser.on('partsLimit', tooMany('A return has too many parts'));
      this.parser.on('error', (error: Error) =>
        this.fail(new AppError('VALIDATION_FAILED', `The multipart body is malformed: ${error.message}`)),
      );
      this.parser.on('close', () => void this.finish());
      // The client went away (or Node's request timeout cut it off) before the body ended.
      this.req.on('close', () => {
        if (!this.req.complete) this.fail(new AppError('VALIDATION_FAILED', 'The upload was interrupted before it ended'));
      });
      this.req.on('error', () => this.fail(new AppError('VALIDATION_FAILED', 'The upload was interrupted before it ended')));
      this.req.pipe(this.parser);
    });
  }

  private onFile(name: string, file: Readable, info: FileInfo): void {
    file.on('error', () => undefined); // its failures reach us through the reads (or are ours, when we stop)
    if (this.failure) {
      file.resume();
      return;
    }
    const index = this.slots.length;
    const filename = cleanFilename(info.filename, index);
    if (name !== RETURN_PHOTO_FIELD) {
      file.resume();
      this.fail(invalid(name, `${quoted(name)} is not a file field of a return: photos go in "${RETURN_PHOTO_FIELD}"`));
      return;
    }
    const slot: Slot = { index, filename, size: 0, body: null, file, result: Promise.resolve(null as never) };
    this.slots.push(slot);
    slot.result = this.storePhoto(slot);
    // The first failure wins; later ones (this photo's stream destroyed by it) change nothing.
    slot.result.catch((error: unknown) => this.fail(this.storeFailure(error, slot)));
  }

  /** Sniffs the first bytes, then streams head and rest through the counter into the store. */
  private async storePhoto(slot: Slot): Promise<ReturnPhoto> {
    const source = slot.file[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
    const head: Buffer[] = [];
    let headLength = 0;
    while (headLength < SNIFF_BYTES) {
      const next = await source.next();
      if (next.done) break;
      head.push(next.value);
      headLength += next.value.length;
    }
    const first = Buffer.concat(head);
    const contentType = detectImageType(first);
    if (!contentType) {
      throw invalid(
        RETURN_PHOTO_FIELD,
        `Photo ${slot.index + 1} (${quoted(slot.filename)}) is not a JPEG, PNG or HEIC image (checked by its bytes)`,
      );
    }
    const key = `${this.limits.keyPrefix}/${randomUUID()}.${EXTENSION[contentType]}`;
    this.keys.push(key);
    const count = (chunk: Buffer) => this.count(slot, chunk);
    slot.body = Readable.from(
      (async function* () {
        count(first);
        yield first;
        for (;;) {
          const next = await source.next();
          if (next.done) return;
          count(next.value);
          yield next.value;
        }
      })(),
      { objectMode: false },
    );
    if (this.failure) slot.body.destroy(this.failure);
    const stored = await this.store.put(key, slot.body, { contentType, maxBytes: this.limits.maxPhotoBytes });
    return { key, sha256: stored.sha256, size: stored.size, contentType, filename: slot.filename };
  }

  /** Counts a photo's chunk against both limits; past one, fails the upload (and so this stream). */
  private count(slot: Slot, chunk: Buffer): void {
    slot.size += chunk.length;
    this.totalBytes += chunk.length;
    if (slot.size > this.limits.maxPhotoBytes) {
      throw this.fail(
        new AppError(
          'PAYLOAD_TOO_LARGE',
          `Photo ${slot.index + 1} (${quoted(slot.filename)}) is larger than ${this.limits.maxPhotoBytes} bytes`,
          [{ field: RETURN_PHOTO_FIELD, message: `${quoted(slot.filename)} is too large` }],
        ),
      );
    }
    if (this.totalBytes > this.limits.maxTotalBytes) throw this.fail(this.tooLarge());
  }

  private onField(name: string, value: string, info: FieldInfo): void {
    if (this.failure) return;
    let problem: string | null;
    if (name === RETURN_PHOTO_FIELD) problem = `"${RETURN_PHOTO_FIELD}" must be files, not text`;
    else if (info.nameTruncated || !ReturnFieldsReader.isField(name)) {
      problem = `${quoted(name)} is not a field of a return (${RETURN_TEXT_FIELDS.join(', ')}, ${RETURN_PHOTO_FIELD})`;
    } else {
      this.totalBytes += Buffer.byteLength(value);
      if (this.totalBytes > this.limits.maxTotalBytes) {
        this.fail(this.tooLarge());
        return;
      }
      problem = info.valueTruncated ? `${name} is too long` : this.fields.add(name, value);
    }
    if (problem) this.fail(invalid(name, problem));
  }

  private tooLarge(): AppError {
    return new AppError('PAYLOAD_TOO_LARGE', `A return upload is at most ${this.limits.maxTotalBytes} bytes in all`);
  }

  /** The caller's error for a failed store.put: ours as they are, the store's own as 413 or 503. */
  private storeFailure(error: unknown, slot: Slot): AppError {
    if (error instanceof AppError) return error;
    if (error instanceof ObjectTooLargeError) {
      return new AppError(
        'PAYLOAD_TOO_LARGE',
        `Photo ${slot.index + 1} (${quoted(slot.filename)}) is larger than ${error.maxBytes} bytes`,
      );
    }
    logger.error({ err: error }, 'A return photo could not be stored');
    return new AppError('SERVICE_UNAVAILABLE', 'The photos could not be stored; try again');
  }

  /**
   * Records the first failure and stops: no more parsing, every photo stream in flight
   * destroyed (so its put rejects), the rest of the body discarded; then `finish` deletes
   * what was stored. Returns the failure (callers throw it).
   */
  private fail(error: AppError): AppError {
    if (this.failure) return this.failure;
    this.failure = error;
    if (this.finishing) return error; // parsing is over: finish() sees the failure once every put has settled
    this.req.unpipe(this.parser);
    this.req.resume(); // drained, so the client can finish sending and read the answer
    for (const slot of this.slots) {
      slot.body?.destroy(error);
      slot.file.destroy();
    }
    this.parser.destroy();
    void this.finish();
    return error;
  }

  /** Once parsing is over (or failed): waits for every put, then resolves, or deletes them all and rejects. */
  private async finish(): Promise<void> {
    if (this.finishing) return;
    this.finishing = true;
    const results = await Promise.allSettled(this.slots.map((slot) => slot.result));
    if (!this.failure) this.failure = this.missing();
    if (this.failure) {
      await deleteAll(this.store, this.keys);
      this.settle.reject(this.failure);
      return;
    }
    const photos = results.map((result) => (result as PromiseFulfilledResult<ReturnPhoto>).value);
    this.settle.resolve({ fields: this.fields.fields(), photos });
  }

  /** What a complete body still lacks: required fields, photos. */
  private missing(): AppError | null {
    const problems = this.fields.missing();
    if (this.slots.length < this.limits.minPhotos) {
      problems.push({
        field: RETURN_PHOTO_FIELD,
        message: `at least ${this.limits.minPhotos} photos are required (${this.slots.length} sent)`,
      });
    }
    return problems.length ? new AppError('VALIDATION_FAILED', 'The return is incomplete', problems) : null;
  }
}

async function deleteAll(store: ObjectStore, keys: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(keys.map((key) => store.delete(key)));
  results.forEach((result, i) => {
    if (result.status === 'rejected') logger.error({ err: result.reason, key: keys[i] }, 'A return photo could not be deleted');
  });
}

function checkOptions(options: ReturnUploadOptions): Limits {
  const limits: Limits = {
    maxPhotos: DEFAULT_MAX_PHOTOS,
    maxFields: DEFAULT_MAX_FIELDS,
    maxNotesLength: DEFAULT_MAX_NOTES,
    ...options,
    keyPrefix: options.keyPrefix.replace(/\/+$/, ''),
  };
  const positive = [limits.maxPhotoBytes, limits.maxTotalBytes, limits.minPhotos, limits.maxPhotos, limits.maxFields];
  if (!KEY_PREFIX.test(limits.keyPrefix) || limits.keyPrefix.split('/').includes('..')) {
    throw new RangeError('keyPrefix must be letters, digits and / _ . - without ".."');
  }
  if (!positive.every((n) => Number.isSafeInteger(n) && n > 0) || limits.minPhotos > limits.maxPhotos) {
    throw new RangeError('The return upload limits must be positive integers, minPhotos <= maxPhotos');
  }
  return limits;
}

function invalid(field: string, message: string): AppError {
  return new AppError('VALIDATION_FAILED', message, [{ field: printable(field).slice(0, 100), message }]);
}

/** The client's file name without path or control characters, at most 255 characters; `photo-N` when nothing is left. */
function cleanFilename(raw: string | undefined, index: number): string {
  const name = printable(
    String(raw ?? '')
      .split(/[\\/]/)
      .pop() ?? '',
  )
    .trim()
    .slice(0, 255);
  return name === '' ? `photo-${index + 1}` : name;
}

function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, '');
}

/** A client's name as error messages show it: printable, at most 100 characters, in quotes. */
function quoted(text: string): string {
  const shown = printable(text);
  return JSON.stringify(shown.length > 100 ? `${shown.slice(0, 100)}...` : shown);
}
