/** At most this many characters in a key (S3 allows 1,024 bytes; ours are ids and short names). */
export const MAX_KEY_LENGTH = 512;

/**
 * One path segment of a key: starts with a letter or digit (so never `.`, `..` or a hidden
 * name: the local store's temp files start with a dot and can never be a key), then letters,
 * digits, `.`, `_` and `-`, at most 200 characters (a file name, with room for the temp suffix).
 */
const SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

/** A key the stores refuse: it could escape the root, or would mean different things on disk and in S3. */
export class InvalidObjectKeyError extends Error {
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Invalid object key ${JSON.stringify(String(key).slice(0, 100))}: ${reason}`);
    this.name = 'InvalidObjectKeyError';
  }
}

/**
 * Checks a key the same way for every store, so a key that works in development works in
 * production: `/`-separated segments of `[A-Za-z0-9._-]` that each start with a letter or
 * digit; no `..` anywhere, no leading or trailing `/`, no empty segment, no NUL, backslash,
 * space or non-ASCII character.
 *
 * @throws InvalidObjectKeyError
 */
export function assertObjectKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidObjectKeyError(String(key), 'a key is a non-empty string');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidObjectKeyError(key, `longer than ${MAX_KEY_LENGTH} characters`);
  if (key.includes('..')) throw new InvalidObjectKeyError(key, '".." is not allowed');
  if (key.startsWith('/')) throw new InvalidObjectKeyError(key, 'a key is relative (no leading "/")');
  for (const segment of key.split('/')) {
    if (!SEGMENT.test(segment)) {
      throw new InvalidObjectKeyError(
        key,
        'each "/"-separated segment is 1 to 200 of A-Z a-z 0-9 . _ - and starts with a letter or digit',
      );
    }
  }
}
