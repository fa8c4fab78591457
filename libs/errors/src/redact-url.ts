/** What a redacted value becomes: pino's censor for the other redacted fields. */
export const REDACTED = '[redacted]';

/**
 * Query parameters whose value is a credential, matched on the name lower-cased with
 * every run of other characters as `_` (so `Client-Secret`, `X-Amz-Signature`,
 * `access%5Ftoken` count): the name is one of these words or ends with `_` and one.
 */
const SECRET_WORDS =
  'access_token|id_token|refresh_token|token|key|api_key|apikey|secret|client_secret|password|passwd|pwd|signature|sig|auth|authorization|jwt|session|sessionid|credential|credentials|code_verifier';
const SECRET_NAME = new RegExp(`(^|_)(${SECRET_WORDS})$`);

function isSecretName(rawName: string): boolean {
  let name = rawName.replace(/\+/g, ' ');
  try {
    name = decodeURIComponent(name);
  } catch {
    // a broken %-escape: match the name as it came
  }
  const normalised = name
    .toLowerCase()
    .replace(/\[\]$/, '') // token[]=...
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_|_$/g, '');
  return SECRET_NAME.test(normalised) || /token|secret|password/.test(normalised);
}

/**
 * A request URL fit for a log line: the value of every query parameter that carries a
 * credential (`?access_token=`, `token`, `key`, `secret`, `password`, `signature`... in
 * any case) becomes `[redacted]`; the path and the other parameters stay as sent.
 */
export function redactUrl(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      if (eq < 0 || !isSecretName(pair.slice(0, eq))) return pair;
      return `${pair.slice(0, eq)}=${REDACTED}`;
    })
    .join('&');
  return `${url.slice(0, at)}?${query}`;
}
