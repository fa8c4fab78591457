import { describe, expect, it } from '@jest/globals';
import { FleetSignatureError, signFleetEvent, verifyFleetSignature } from './fleet-signature';

const BODY = Buffer.from('{"id":"evt-1","type":"VehicleStatusChanged"}');
const NOW = 1_767_225_600_000;
const T = NOW / 1000;

describe('verifyFleetSignature', () => {
  it('accepts the HMAC of "<t>.<body>" under any secret of the list, within 5 minutes either way', () => {
    for (const secret of ['new_secret_0123456789', 'old_secret_0123456789']) {
      for (const skew of [-300, 0, 300]) {
        const header = signFleetEvent(BODY, secret, T + skew);
        expect(() => verifyFleetSignature(BODY, header, ['new_secret_0123456789', 'old_secret_0123456789'], NOW)).not.toThrow();
      }
    }
  });

  it('matches the openssl command the README shows (hex of HMAC-SHA256 over "<t>.<body>")', () => {
    // printf '%s.%s' 1767225600 '{"a":1}' | openssl dgst -sha256 -hmac fleet_holdfast_dev_secret
    expect(signFleetEvent('{"a":1}', 'fleet_holdfast_dev_secret', 1767225600)).toBe(
      't=1767225600,v1=cfaeabaac388cd32b1a406606453bb7907b61e4880fa66a2fe56283af6322542',
    );
  });

  it.each([
    ['no header', undefined, 'No X-Fleet-Signature'],
    ['a header without v1', `t=${T}`, 'must be'],
    ['a header without t', `v1=${'a'.repeat(64)}`, 'must be'],
    ['another secret', signFleetEvent(BODY, 'someone_else_0123456789', T), 'matches no'],
    ['a timestamp 301 s old', signFleetEvent(BODY, 'new_secret_0123456789', T - 301), 'too old'],
    ['a timestamp 301 s ahead', signFleetEvent(BODY, 'new_secret_0123456789', T + 301), 'in the future'],
  ])('refuses %s', (_name, header, message) => {
    expect(() => verifyFleetSignature(BODY, header, ['new_secret_0123456789'], NOW)).toThrow(FleetSignatureError);
    expect(() => verifyFleetSignature(BODY, header, ['new_secret_0123456789'], NOW)).toThrow(message);
  });

  it('refuses a body changed after signing, and any header when no secret is configured', () => {
    const header = signFleetEvent(BODY, 'new_secret_0123456789', T);
    expect(() => verifyFleetSignature(Buffer.from(`${BODY} `), header, ['new_secret_0123456789'], NOW)).toThrow('matches no');
    expect(() => verifyFleetSignature(BODY, header, [], NOW)).toThrow('No fleet webhook secret');
  });
});
