import { describe, expect, it } from '@jest/globals';
import { parseFleetEvent } from './fleet-event.parser';

const parse = (body: unknown) => parseFleetEvent(body, JSON.stringify(body) ?? '');
const base = { id: 'evt-1', occurredAt: '2026-12-05T09:00:00Z', vehicleId: 'AB-123' };

describe('parseFleetEvent', () => {
  it('reads a status change and a maintenance (cancelled defaults to false, reason to null)', () => {
    expect(parse({ ...base, type: 'VehicleStatusChanged', status: 'in_use' })).toEqual({
      ok: true,
      event: { ...base, occurredAt: new Date(base.occurredAt), type: 'VehicleStatusChanged', status: 'in_use' },
    });
    const m = parse({
      ...base,
      type: 'MaintenanceScheduled',
      maintenanceId: 'm1',
      from: '2026-12-10T00:00:00Z',
      to: '2026-12-11T00:00:00Z',
    });
    expect(m).toMatchObject({ ok: true, event: { maintenanceId: 'm1', cancelled: false, reason: null } });
  });

  it('takes a cancellation without dates', () => {
    expect(parse({ ...base, type: 'MaintenanceScheduled', maintenanceId: 'm1', cancelled: true })).toMatchObject({
      ok: true,
      event: { cancelled: true },
    });
  });

  it.each([
    ['an array', [1, 2], /not a JSON object/],
    ['no id', { ...base, id: '', type: 'VehicleStatusChanged', status: 'available' }, /id must be/],
    [
      'a NUL in the vehicle id',
      { ...base, vehicleId: 'a\u0000b', type: 'VehicleStatusChanged', status: 'available' },
      /vehicleId/,
    ],
    [
      'a date without time',
      { ...base, occurredAt: '2026-12-05', type: 'VehicleStatusChanged', status: 'available' },
      /occurredAt/,
    ],
    ['an unknown status', { ...base, type: 'VehicleStatusChanged', status: 'parked' }, /status must be one of/],
    ['an unknown type', { ...base, type: 'Refuelled' }, /unknown event type/],
    [
      'a block over a year',
      { ...base, type: 'MaintenanceScheduled', maintenanceId: 'm', from: '2026-01-01T00:00:00Z', to: '2027-06-01T00:00:00Z' },
      /at most a year/,
    ],
    ['a non-boolean cancelled', { ...base, type: 'MaintenanceScheduled', maintenanceId: 'm', cancelled: 'yes' }, /cancelled/],
  ])('calls %s malformed, with the reason', (_name, body, reason) => {
    const parsed = parse(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.reason).toMatch(reason);
  });

  it('records an event without a usable id under the hash of its bytes, the same for the same bytes', () => {
    const a = parseFleetEvent({ type: 'x' }, '{"type":"x"}');
    const b = parseFleetEvent({ type: 'x' }, '{"type":"x"}');
    expect(a).toMatchObject({ ok: false, id: expect.stringMatching(/^malformed:[0-9a-f]{64}$/) });
    expect(b).toEqual(a);
  });
});
