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
