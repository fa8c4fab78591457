import { describe, expect, it } from '@jest/globals';
import { holdExpiryStatement } from './expiry-statement';

/** Where each CTE of the statement begins (`name AS (`). */
const cteAt = (text: string, name: string): number => text.indexOf(`${name} AS (`);

describe('the sweep batch as one statement (holdExpiryStatement)', () => {
  it('has the text in the snapshot', () => {
    expect(holdExpiryStatement(5000).text).toMatchSnapshot();
  });

  it('depends on nothing but its shape: the batch size is its only value', () => {
    const [a, b] = [holdExpiryStatement(5000), holdExpiryStatement(7)];
    expect(b.text).toBe(a.text);
    expect([a.values, b.values]).toEqual([[5000], [7]]);
    expect(a.text).toContain('LIMIT $1::int');
  });

  it('claims the due holds with FOR UPDATE SKIP LOCKED and expires only those still held, one event each', () => {
    const { text } = holdExpiryStatement(5000);
    expect(text).toMatch(/res_due AS \(\s+SELECT id FROM reservations WHERE status = 'held' AND hold_expires_at <= now\(\)/);
    expect(text).toMatch(/ORDER BY hold_expires_at LIMIT \$1::int\s+FOR UPDATE SKIP LOCKED\)/);
    expect(text).toMatch(/WHERE id IN \(SELECT id FROM res_due\) AND status = 'held'/);
    expect(text).toMatch(/res_expired_events AS \(\s+INSERT INTO outbox_events[\s\S]+FROM res_expired c\s/);
  });

  it('releases what the expired holds have, in the global lock order, each step gated on the one before', () => {
    const { text } = holdExpiryStatement(5000);
    const order = [
      'res_due',
      'res_expired',
      'res_expired_events',
      'inv_external',
      'inv_live',
      'inv_released',
      'inv_slots_locked',
      'inv_slots',
      'inv_stock_locked',
      'inv_stock',
    ];
    const positions = order.map((name) => cteAt(text, name));
    expect(positions.every((at) => at >= 0)).toBe(true);
    expect([...positions].sort((x, y) => x - y)).toEqual(positions);
    // Only once the reservations and their events are written; allocations, slots and stock each in id order.
    expect(text).toMatch(/inv_external AS \([\s\S]+\(SELECT count\(\*\) FROM res_expired_events\) >= 0\s+RETURNING/);
    expect(text).toMatch(/inv_live AS \([\s\S]+\(SELECT count\(\*\) FROM inv_external\) >= 0\s+ORDER BY a\.id\s+FOR UPDATE\)/);
    expect(text).toMatch(/inv_slots_locked AS \([\s\S]+ORDER BY t\.id\s+FOR UPDATE OF t\)/);
    expect(text).toMatch(
      /inv_stock_locked AS \([\s\S]+\(SELECT count\(\*\) FROM inv_slots\) >= 0\s+ORDER BY t\.id\s+FOR UPDATE OF t\)/,
    );
    expect(text).toContain('"imsReservationIds"');
  });
});
