import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, expect } from '@jest/globals';
import type { Response } from 'supertest';
import type { EntityManager } from 'typeorm';
import { TransactionHost } from '@holdfast/database';
import { InventoryModule } from '../../src/inventory/inventory.module';
import { InventoryService } from '../../src/inventory/inventory.service';
import type { AllocationRequest, ShortageHandler } from '../../src/inventory/inventory.types';
import { checkInventoryInvariants } from '../../src/inventory/invariants';
import { createTestApp, type TestApp } from './test-app';

/** Shared by the inventory e2e specs (test/inventory-*.e2e-spec.ts). */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const inDays = (days: number) => new Date(Date.now() + days * DAY_MS);
export const newSku = (prefix = 'SKU') => `${prefix}-${randomUUID().slice(0, 8)}`;

export function expectError(res: Response, status: number, code: string): void {
  expect({ status: res.status, error: res.body.error }).toEqual({ status, error: code });
  expect(res.body.message).toEqual(expect.any(String));
}

/** The fields a VALIDATION_FAILED response names in its details. */
export const fields = (res: Response) => (res.body.details ?? []).map((d: { field: string }) => d.field);

/** The app and users of an inventory spec; filled in by the `beforeAll` of `useInventoryApp`. */
export interface InventoryApp {
  t: TestApp;
  inventory: InventoryService;
  txHost: TransactionHost;
  /** A bearer token with the admin role. */
  admin: string;
  /** A bearer token of a plain user. */
  user: string;
}

/**
 * Call inside a spec's outer `describe`: starts the app with InventoryModule on a fresh
 * database before the spec's tests (and checks, after them, that whatever they did left
 * inventory consistent). Returns the app (its fields are set once `beforeAll` has run)
 * and the helpers the specs share.
 */
export function useInventoryApp() {
  const app = {} as InventoryApp;
  beforeAll(async () => {
    app.t = await createTestApp({ imports: [InventoryModule] });
    app.inventory = app.t.app.get(InventoryService);
    app.txHost = app.t.app.get(TransactionHost);
    app.admin = app.t.token('root', ['admin']);
    app.user = app.t.token('bob');
  });
  afterAll(async () => {
    // Whatever the tests did, they left inventory consistent.
    if (app.t) expect(await checkInventoryInvariants(app.t.dataSource.manager)).toEqual([]);
    await app.t?.close();
  });

  /** Allocates in a transaction of its own, as a hold does: all or nothing. */
  const allocate = (reservationId: string, requests: AllocationRequest[], onShortage?: ShortageHandler) =>
    app.txHost.run(() => app.inventory.allocate(reservationId, requests, onShortage));
  const holdSlot = async (slotId: string, quantity: number, reservationId = randomUUID()) => {
    await allocate(reservationId, [{ kind: 'slot', itemId: randomUUID(), slotId, quantity }]);
    return reservationId;
  };
  const holdStock = async (stockItemId: string, quantity: number, reservationId = randomUUID()) => {
    await allocate(reservationId, [{ kind: 'sku', itemId: randomUUID(), stockItemId, quantity }]);
    return reservationId;
  };
  const holdUnit = async (offeringId: string, start: Date, end: Date, reservationId = randomUUID()) => {
    await allocate(reservationId, [{ kind: 'unit', itemId: randomUUID(), offeringId, start, end }]);
    return reservationId;
  };
  const release = (...reservationIds: string[]) => app.txHost.run(() => app.inventory.release(reservationIds));
  const commit = (reservationId: string) => app.txHost.run(() => app.inventory.commit(reservationId));
  const failure = (promise: Promise<unknown>): Promise<unknown> =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error,
    );

  const slotCounters = async (id: string) => {
    const [row] = (await app.t.dataSource.query(`SELECT capacity, held, booked FROM time_slots WHERE id = $1`, [id])) as {
      capacity: number;
      held: number;
      booked: number;
    }[];
    return row;
  };
  const stockCounters = async (id: string) => {
    const [row] = (await app.t.dataSource.query(`SELECT on_hand, held, sold FROM stock_items WHERE id = $1`, [id])) as {
      on_hand: number;
      held: number;
      sold: number;
    }[];
    return row;
  };
  const liveAllocations = async (reservationId: string) => {
    const rows = (await app.t.dataSource.query(
      `SELECT count(*)::int AS n FROM allocations WHERE reservation_id = $1 AND state <> 'released'`,
      [reservationId],
    )) as { n: number }[];
    return rows[0].n;
  };
  const invariants = () => checkInventoryInvariants(app.t.dataSource.manager);

  /** Runs `fn` in a transaction that is always rolled back: for corrupting data (even the schema) by hand. */
  async function inRolledBackTransaction(fn: (manager: EntityManager) => Promise<void>): Promise<void> {
    const runner = app.t.dataSource.createQueryRunner();
    await runner.connect();
    await runner.startTransaction();
    try {
      await fn(runner.manager);
    } finally {
      await runner.rollbackTransaction();
      await runner.release();
    }
  }

  return Object.assign(app, {
    allocate,
    holdSlot,
    holdStock,
    holdUnit,
    release,
    commit,
    failure,
    slotCounters,
    stockCounters,
    liveAllocations,
    invariants,
    inRolledBackTransaction,
  });
}
