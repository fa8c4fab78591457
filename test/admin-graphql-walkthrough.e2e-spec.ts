import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { VEHICLE_POLICY } from './factories/inventory.factory';
import { HOUR, RentalDriver } from './support/rental-driver';
import { countStatements } from './support/sql-statements';
import { createTestApp, type TestApp } from './support/test-app';

/**
 * The admin walk-through of issue 15 over POST /graphql, on a real vehicle rental
 * driven through booking, unlock and a disputed return (simulated providers, the app
 * clock moved): the dashboard lists the rental, an admin adjusts a fine and approves
 * the return, the settlement takes the money, and the revenue report and the audit log
 * show it all.
 */
describe('admin GraphQL walk-through: a disputed return settled from the dashboard', () => {
  let t: TestApp;
  let d: RentalDriver;
  const gql = async (query: string, variables?: object) => {
    const res = await t.http.post('/graphql').set(d.admin()).send({ query, variables }).expect(200);
    expect(res.body.errors).toBeUndefined();
    return res.body.data;
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_PROVIDER: 'simulated', RENTAL_AUTH_LEAD_DAYS: '4' } });
    d = new RentalDriver(t);
  });

  afterAll(async () => {
    t.clock.reset();
    await t.close();
  });

  it('lists active rentals with their fines and payments in as many statements for ten as for one (DataLoader)', async () => {
    for (let n = 0; n < 4; n++) {
      const { offeringId } = await d.vehicle(9_000, VEHICLE_POLICY);
      const { id } = await d.book(`walk-loader-${n}`, offeringId, 1, 1, '4242424242424242');
      await d.rental(id); // the rental is written on first use
    }
    const page = (limit: number) =>
      countStatements(/\b(rentals|rental_fines|payments|refunds|payment_setups)\b/, () =>
        gql(
          `query ($limit: Int!) { activeRentals(page: { limit: $limit }) { rentals { id fines { kind } payments { status } } } }`,
          {
            limit,
          },
        ),
      );
    const one = await page(1);
    const ten = await page(10);
    expect(one.result.activeRentals.rentals).toHaveLength(1);
    expect(ten.result.activeRentals.rentals).toHaveLength(4);
    expect(ten.result.activeRentals.rentals.every((r: { payments: unknown[] }) => r.payments.length === 1)).toBe(true);
    expect(ten.statements.length).toBe(one.statements.length);
  });

  it('overrides a disputed return, adjusts a fine, and sees both in the revenue report and the audit log', async () => {
    const startedAt = new Date(Date.now() - HOUR); // the database's clock stamps payments and refunds
    const { offeringId, fleetVehicleId } = await d.vehicle(12_000, VEHICLE_POLICY);
    const { id } = await d.book('walk-renter', offeringId, 1, 2, '4242424242424242');
    await d.unlock('walk-renter', id, fleetVehicleId, { odometerKm: 20_000, energyLevelPercent: 90 });
    // The customer reports 300 km less than telematics read at the lock: a mismatch an admin must settle.
    const returned = await d.returnVehicle(
      'walk-renter',
      id,
      fleetVehicleId,
      0,
      { odometerKm: 20_500, energyLevelPercent: 90 },
      { odometerKm: 20_200, energyLevelPercent: 90 },
    );
    expect(returned).toMatchObject({ rentalStatus: 'return_disputed', disputes: ['readings_mismatch'] });

    // The dashboard lists it among the active rentals, disputed.
    const listed = await gql(
      `query ($filter: ActiveRentalsFilter) { activeRentals(filter: $filter) {
         rentals { id rentalStatus disputes price currency fines { kind amount } payments { purpose status captured } }
         page { total } } }`,
      { filter: { status: 'return_disputed' } },
    );
    expect(listed.activeRentals.page.total).toBe(1); // the only disputed one
    const [rental] = listed.activeRentals.rentals;
    expect(rental).toMatchObject({ id, rentalStatus: 'return_disputed', disputes: ['readings_mismatch'], currency: 'EUR' });
    expect(rental.payments).toEqual([expect.objectContaining({ purpose: 'booking', status: 'requires_capture', captured: 0 })]);

    // A damage fine, found on the photos; then the return is approved, which settles it.
    const damage = 40_000; // above what the authorisation has left: the rest is a separate fine charge
    const adjusted = await gql(
      `mutation ($id: ID!, $amount: Int!) { adjustFine(rentalId: $id, kind: damage, amount: $amount, reason: "scratched rear door") {
         id rentalStatus fines { kind amount reason setBy } } }`,
      { id, amount: damage },
    );
    expect(adjusted.adjustFine.fines).toContainEqual({
      kind: 'damage',
      amount: damage,
      reason: 'scratched rear door',
      setBy: 'ops',
    });
    expect(adjusted.adjustFine.rentalStatus).toBe('return_disputed'); // the verdict is still to come

    const approved = await gql(
      `mutation ($id: ID!, $note: String) { overrideReturnVerification(rentalId: $id, decision: approve, note: $note) {
         id rentalStatus verifiedBy verificationNote } }`,
      { id, note: 'odometer photo shows 20,500 km' },
    );
    expect(approved.overrideReturnVerification).toMatchObject({
      id,
      verifiedBy: 'ops',
      verificationNote: 'odometer photo shows 20,500 km',
    });
    await d.drain(id);

    // Settled: the rental's money as its REST view shows it, and its fines as the dashboard does.
    const view = await d.rental(id);
    expect(view.rentalStatus).toBe('completed');
    const settled = await gql(`query ($id: ID!) { rental(id: $id) { rentalStatus fines { kind amount } } }`, { id });
    const fines = (settled.rental.fines as { kind: string; amount: number }[]).reduce((sum, f) => sum + f.amount, 0);
    expect(settled.rental.fines).toContainEqual({ kind: 'damage', amount: damage });
    expect(view.money.owed).toBe(0);

    // The revenue report: the captured price and the fines, under rentals (invariant 6: captured + fine
    // charges - refunded = price + fines).
    const report = await gql(
      `query ($from: String!, $to: String!) { revenueReport(from: $from, to: $to, groupBy: DAY, currency: "EUR") {
         periodStart offeringKind captured fines refunded net } }`,
      { from: startedAt.toISOString(), to: new Date(Date.now() + HOUR).toISOString() },
    );
    const lines = report.revenueReport as {
      offeringKind: string;
      captured: number;
      fines: number;
      refunded: number;
      net: number;
    }[];
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.every((l) => l.offeringKind === 'rental')).toBe(true);
    const total = (key: 'captured' | 'fines' | 'refunded' | 'net') => lines.reduce((sum, l) => sum + l[key], 0);
    expect({ captured: total('captured'), fines: total('fines'), refunded: total('refunded') }).toEqual({
      captured: view.money.captured,
      fines: view.money.charged,
      refunded: view.money.refunded,
    });
    expect(total('net')).toBe(view.money.price + fines);
    expect(fines).toBeGreaterThanOrEqual(damage);
    expect(total('fines')).toBeGreaterThan(0); // the fine charge, in its own column

    // The audit log: both decisions, by the admin, with the record before and after.
    const audit = await gql(
      `query ($filter: AuditFilter) { auditLog(filter: $filter) { entries { actor action recordType recordId before after } } }`,
      { filter: { recordType: 'rental', recordId: id } },
    );
    expect(audit.auditLog.entries).toEqual([
      {
        actor: 'ops',
        action: 'rental.verification',
        recordType: 'rental',
        recordId: id,
        before: { rentalStatus: 'return_disputed' },
        after: { rentalStatus: 'returned', decision: 'approve', note: 'odometer photo shows 20,500 km' },
      },
      {
        actor: 'ops',
        action: 'rental.fine',
        recordType: 'rental',
        recordId: id,
        before: null,
        after: { kind: 'damage', amount: damage, reason: 'scratched rear door' },
      },
    ]);
  });
});
