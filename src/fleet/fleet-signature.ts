import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far a signature's timestamp may be from our clock, either way (DESIGN.md section 12: 5 minutes). */
export const FLEET_SIGNATURE_TOLERANCE_SECONDS = 300;

/** Why a signature was refused (the route answers 400 VALIDATION_FAILED with it, as the Stripe webhook does). */
export class FleetSignatureError extends Error {}

/** The header value a sender computes: `t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">`. */
export function signFleetEvent(rawBody: Buffer | string, secret: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.`).update(rawBody).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

/**
 * Verifies `X-Fleet-Signature` over the RAW body: some `v1` must be the HMAC of
 * `"<t>.<body>"` under one of `secrets` (several during a rotation), compared in constant
 * time, and `t` within FLEET_SIGNATURE_TOLERANCE_SECONDS of `nowMs`, past or future.
 * Replays inside the window are harmless: events are applied once per id.
 *
 * @throws FleetSignatureError when the header is missing or malformed, no secret matches,
 *   or the timestamp is out of tolerance
 */
export function verifyFleetSignature(
  rawBody: Buffer,
  header: string | undefined,
  secrets: readonly string[],
  nowMs: number,
): void {
  if (!header) throw new FleetSignatureError('No X-Fleet-Signature header');
  if (secrets.length === 0) throw new FleetSignatureError('No fleet webhook secret is configured');
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of header.split(',')) {
    const [key, value = ''] = part.trim().split('=', 2);
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === null || signatures.length === 0) {
    throw new FleetSignatureError('X-Fleet-Signature must be t=<unix seconds>,v1=<hex HMAC-SHA256>');
  }
  const matches = secrets.some((secret) => {
    const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
    return signatures.some((given) => given.length === expected.length && timingSafeEqual(given, expected));
  });
  if (!matches) throw new FleetSignatureError('The signature matches no fleet webhook secret');
  const skew = timestamp - Math.floor(nowMs / 1000);
  if (Math.abs(skew) > FLEET_SIGNATURE_TOLERANCE_SECONDS) {
    throw new FleetSignatureError(`Timestamp outside the tolerance zone (${skew > 0 ? 'in the future' : 'too old'})`);
  }
}
