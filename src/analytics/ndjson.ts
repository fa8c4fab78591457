import type { Writable } from 'node:stream';

/** The media type of newline-delimited JSON (one JSON object per line). */
export const NDJSON = 'application/x-ndjson';

/** True when the request's Accept header asks for NDJSON (a plain `includes`, parameters ignored). */
export function wantsNdjson(accept: unknown): boolean {
  return typeof accept === 'string' && accept.toLowerCase().includes(NDJSON);
}

/** One chunk of records as NDJSON text: one line each, every line ending in `\n`. */
export function ndjsonLines(records: readonly object[]): string {
  let out = '';
  for (const record of records) out += `${JSON.stringify(record)}\n`;
  return out;
}

/**
 * Writes a chunk's records as NDJSON in pieces of about `pieceBytes` (16 KiB): a chunk's
 * text as one string (~250 KB) would be a large object, allocated straight in V8's old
 * generation and freed only by a full collection, so a fast export grew the heap by
 * hundreds of MB between collections; pieces this size die young. Returns false when the
 * client went away (see writeWithBackpressure).
 */
export async function writeNdjson(out: Writable, records: readonly object[], pieceBytes = 16_384): Promise<boolean> {
  let piece = '';
  for (const record of records) {
    piece += `${JSON.stringify(record)}\n`;
    if (piece.length >= pieceBytes) {
      if (!(await writeWithBackpressure(out, piece))) return false;
      piece = '';
    }
  }
  return piece === '' || writeWithBackpressure(out, piece);
}

/**
 * Writes `text` and, when the stream's buffer is full, waits until it drains (honouring
 * backpressure: a slow client slows the reads down instead of filling memory). Returns
 * false when the stream was closed or destroyed (the client went away): stop then.
 */
export async function writeWithBackpressure(out: Writable, text: string): Promise<boolean> {
  if (out.destroyed || out.writableEnded) return false;
  if (out.write(text)) return true;
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      out.off('drain', onDrain);
      out.off('close', onClose);
      out.off('error', onClose);
      resolve(ok);
    };
    const onDrain = () => done(true);
    const onClose = () => done(false);
    out.on('drain', onDrain);
    out.on('close', onClose);
    out.on('error', onClose);
  });
}
