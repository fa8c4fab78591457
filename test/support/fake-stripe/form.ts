/**
 * Stripe's v1 wire format: `application/x-www-form-urlencoded` with bracket notation
 * (`metadata[reservationId]=r1`, `expand[0]=latest_charge`, `expand[]=customer`,
 * `automatic_payment_methods[enabled]=true`), the same for a GET's query string.
 *
 * The parser keeps every leaf a string and every bracketed level a plain object, array
 * indexes included (`expand[0]` becomes `{ '0': 'latest_charge' }`): whether `x[0]` is an
 * array element or a metadata key named "0" is the endpoint's schema to decide, not the
 * parser's (the `qs` library guesses, and guesses wrong for `metadata[0]`).
 */

export type RawValue = string | RawObject;
export interface RawObject {
  [key: string]: RawValue;
}

/** A body or query string that cannot be read as Stripe's form encoding. */
export class FormParseError extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
    this.name = 'FormParseError';
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

/** `a[b][0]` -> `['a', 'b', '0']`; `a[]` -> `['a', '']`; anything malformed stays one literal key. */
function splitKey(key: string): string[] {
  const open = key.indexOf('[');
  if (open <= 0) return [key];
  const segments = [key.slice(0, open)];
  const rest = key.slice(open);
  const pattern = /\[([^[\]]*)\]/g;
  let consumed = 0;
  for (let match = pattern.exec(rest); match; match = pattern.exec(rest)) {
    if (match.index !== consumed) return [key];
    segments.push(match[1]);
    consumed = match.index + match[0].length;
  }
  return consumed === rest.length ? segments : [key];
}

/** Parses a form body or query string (without the leading `?`). Later duplicates win. */
export function parseForm(text: string): RawObject {
  const root: RawObject = {};
  for (const pair of text.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = decode(eq === -1 ? '' : pair.slice(eq + 1));
    if (key === '') continue;
    const segments = splitKey(key);
    let node: RawObject = root;
    let path = segments[0];
    for (let i = 0; i < segments.length; i++) {
      let segment = segments[i];
      if (i > 0) path = `${path}[${segment}]`;
      const last = i === segments.length - 1;
      if (segment === '') {
        // `a[]=x`: append, i.e. the next free numeric index.
        segment = String(Object.keys(node).length);
      }
      if (last) {
        if (typeof node[segment] === 'object') throw new FormParseError(`Invalid string: ${path} is a hash`, path);
        node[segment] = value;
      } else {
        const next = node[segment];
        if (typeof next === 'string') {
          if (next !== '') throw new FormParseError(`Invalid hash: ${path} is a string`, path);
          // `metadata=&metadata[a]=b`: the empty value is overridden by the hash.
        }
        if (typeof next !== 'object') node[segment] = {};
        node = node[segment] as RawObject;
      }
    }
  }
  return root;
}

/**
 * A stable rendering of parsed parameters (keys sorted at every level): two requests are
 * "the same parameters" for idempotency when their fingerprints are equal, whatever the
 * order the client wrote the fields in.
 */
export function fingerprint(value: RawValue | undefined): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return JSON.stringify(value);
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${fingerprint(value[k])}`).join(',')}}`;
}
