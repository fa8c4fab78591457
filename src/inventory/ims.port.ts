import { AppError } from '@holdfast/errors';
import type { IntegrationObserver } from '@holdfast/resilience';

/**
 * The external Inventory Management System (DESIGN.md section 10, seeds 000/001): the
 * inventory module's source port for offerings with `inventorySource: external`. Two
 * adapters: `ImsHttpClient` (IMS_MODE=http, the contract of section 10) and `SimulatedIms`
 * (IMS_MODE=simulated, in process, the embedded default). Inject it by `INVENTORY_SYSTEM`
 * inside the inventory module; other modules use `ExternalInventoryService`.
 *
 * Dates are UTC calendar days `YYYY-MM-DD`; a range is half-open, `[startDate, endDate)`,
 * as a hold's rental dates are (endDate is the day the unit comes back).
 */
export interface InventorySystem {
  /** `simulated` or `http`. */
  readonly mode: 'simulated' | 'http';
  /** True when `release` is supported (IMS_RELEASE=true; always for the simulated IMS). */
  readonly releaseSupported: boolean;

  /** Units of a product for sale now. */
  stock(itemId: string): Promise<ImsStock>;

  /** Units of a rental item free for every day of `[startDate, endDate)`. */
  availability(itemId: string, startDate: string, endDate: string): Promise<ImsAvailability>;

  /**
   * Reserves `quantity` units of a product, or one unit of a rental item for the dates, for
   * `durationMinutes` (a hold's TTL plus the 15-minute grace). `reference` is our reservation
   * id: calling again with the same reference, item (and dates) returns the same reservation.
   * @throws ImsRefusedError not available (HTTP 409); ImsUnavailableError otherwise.
   */
  reserve(request: ImsReserveRequest, reference: string, durationMinutes: number): Promise<ImsReservation>;

  /**
   * Turns the reservations of our reservation `reference` into an order. Idempotent by
   * reference: the same reference again answers the same order.
   * @throws ImsRejectedError a definitive no (HTTP 409/410: a reservation lapsed, the stock
   *   is gone); ImsUnavailableError when it may succeed later (retry it).
   */
  confirmOrder(reference: string, reservationIds: string[]): Promise<ImsOrder>;

  /**
   * Gives a reservation back before it lapses. Only where `releaseSupported`; otherwise it
   * throws without calling. An unknown or already released reservation is not an error.
   */
  release(reservationId: string): Promise<void>;

  /** True while the circuit breaker refuses calls (never for the simulated IMS). */
  breakerOpen(): boolean;
}

/** DI token of the `InventorySystem` inside the inventory module (chosen by IMS_MODE). */
export const INVENTORY_SYSTEM = Symbol('InventorySystem');

/**
 * Told about every IMS call's outcome and breaker change (libs/resilience's observer): the
 * inventory module passes IntegrationsService's, so the IMS is the `ims` integration of the
 * `integration_*` metrics and GET /v1/admin/integrations.
 */
export type ImsObserver = IntegrationObserver;

/** An item of the simulated IMS: a product with `stock` units for sale, or a rental item with `units`. */
export type SimulatedItemSeed = { stock: number } | { units: number };

export interface ImsStock {
  itemId: string;
  /** Units for sale now (never negative). */
  available: number;
}

export interface ImsAvailability {
  itemId: string;
  /** At least one unit is free for the whole range. */
  available: boolean;
  unitsAvailable: number;
}

/** What to reserve: units of a product, or one unit of a rental item for a date range. */
export type ImsReserveRequest = { itemId: string; quantity: number } | { itemId: string; startDate: string; endDate: string };

export interface ImsReservation {
  reservationId: string;
  expiresAt: Date;
}

export interface ImsOrder {
  orderId: string;
}

/**
 * Why the IMS could not answer. The first five count against the circuit breaker;
 * `unknown_item` and `bad_request` prove the IMS answered (our item id or request was wrong).
 */
export type ImsUnavailableReason =
  | 'unreachable' // connection refused, reset, DNS, TLS handshake
  | 'timeout' // no whole answer within IMS_TIMEOUT_MS
  | 'server_error' // 5xx, 408, 429
  | 'malformed_response' // a 2xx we cannot trust: not JSON, missing fields, wrong types, negative quantities, another item
  | 'unauthorized' // 401/403: our API key or client certificate is refused
  | 'breaker_open' // refused without a request: the circuit breaker is open
  | 'unknown_item' // 404: the IMS does not know the item
  | 'bad_request' // another 4xx: the IMS refused our request as invalid
  | 'switched_off'; // the inventory.ims flag is off: no request is made

/**
 * The IMS cannot give an answer we can use (down, slow, 5xx, a wrong answer, breaker
 * open). An AppError `INVENTORY_UNAVAILABLE` (503), so one that escapes renders as such;
 * `retryAfterSeconds` is what a `Retry-After` header should say.
 */
export class ImsUnavailableError extends AppError {
  constructor(
    readonly reason: ImsUnavailableReason,
    message: string,
    override readonly retryAfterSeconds: number,
  ) {
    super('INVENTORY_UNAVAILABLE', message);
    this.name = 'ImsUnavailableError';
  }
}

/** The IMS answered that what we asked to reserve is not available (HTTP 409 on reserve). */
export class ImsRefusedError extends AppError {
  constructor(
    readonly itemId: string,
    message = `The inventory system has not enough of item ${itemId} available`,
  ) {
    super('NOT_ENOUGH_CAPACITY', message);
    this.name = 'ImsRefusedError';
  }
}

/**
 * The IMS definitively refused to confirm an order (HTTP 409 or 410 on confirm_order: a
 * reservation lapsed and the stock is gone). Retrying will not help: refund and tell the
 * customer (DESIGN.md section 10). Not an AppError: it ends a job, never a request.
 */
export class ImsRejectedError extends Error {
  constructor(
    readonly reference: string,
    /** The IMS's status: 409 or 410 (the simulated IMS says 410 for a lapsed reservation). */
    readonly status: 409 | 410,
    message: string,
  ) {
    super(message);
    this.name = 'ImsRejectedError';
  }
}
