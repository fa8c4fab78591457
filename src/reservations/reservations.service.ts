import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { TransactionHost, Transactional, sqlState } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { IdempotencyService, type IdempotentRequest } from '@holdfast/idempotency';
import type { AuthUser } from '../auth/auth-user';
import { InventoryService } from '../inventory/inventory.service';
import type { ShortResource } from '../inventory/inventory.types';
import type { HoldRequestDto, HoldResponseDto } from './dto/hold.dto';
import { HoldLines, invalid } from './hold-lines';
import { type ExpiryBatch, holdExpiryStatement } from './expiry-statement';
import { type Line, type NewHold, newHold, oneSlotHoldStatement } from './hold-statement';
import { ReservationMetrics } from './reservation-metrics';
import { ReservationsConfig } from './reservations.config';
import { holdExpired, invalidStatus, isUuid, reservationNotFound } from './reservations.errors';
import type { ReservationStatus } from './reservation.entity';
import { type ReservationItemRecord, ReservationsRepository, type ReservationState } from './reservations.repository';
import type { EmailTemplate, ReservationEmailData } from '../notifications/notifications.types';
import { ReservationEmails } from './reservation-emails';
import { CatalogService } from '../catalog/catalog.service';
import { CustomerVerificationService } from '../customers/customer-verification.service';

/** unique_violation (the key was used before), deadlock_detected, serialization_failure. */
const FALL_BACK_ON = new Set(['23505', '40P01', '40001']);

/**
 * On a request the hold lane already tried with `holdAtOnce`: what came of it, for the
 * controller's `hold` to go on from there instead of trying again (see `AtOnce`).
 */
export const HOLD_TRIED_AT_ONCE = Symbol('holdfast:hold-tried-at-once');

/** What a try of `holdAtOnce` came to: it took nothing (the general path decides), or it failed with `error`. */
export type AtOnce = { failed: false } | { failed: true; error: unknown };

/**
 * Holds and their end: creates a hold (price it, allocate every item, insert the
 * reservation and store the idempotent response, all in one statement or one
 * transaction), cancels one, and expires those past their time.
 */
/** The events a rental records on its booking (src/events/events.types.ts). */
export type RentalEventType = 'rental_in_progress' | 'rental_returned' | 'rental_return_disputed' | 'rental_completed';

/** What another module may read of a booking (see `booking`). */
export interface BookingFacts {
  reservation: ReservationState;
  items: ReservationItemRecord[];
}

@Injectable()
export class ReservationsService {
  constructor(
    readonly txHost: TransactionHost,
    private readonly repo: ReservationsRepository,
    private readonly inventory: InventoryService,
    private readonly lines: HoldLines,
    private readonly config: ReservationsConfig,
    private readonly metrics: ReservationMetrics,
    private readonly idempotency: IdempotencyService,
    private readonly clock: Clock,
    private readonly emails: ReservationEmails,
    private readonly catalog: CatalogService,
    private readonly verification: CustomerVerificationService,
  ) {}

  /**
   * Holds everything the request asks for, for HOLD_TTL_SECONDS, all or nothing, and
   * keeps the request's idempotency key with the response.
   *
   * A hold of one time slot (the mobile app's form) is first tried as ONE statement: the
   * key's lock, the guarded slot update, the ledger row, the reservation, its item and the
   * key's stored response, committed together in one round trip. Priced from the cached
   * slot and offering, it takes places only if the slot still starts then and the
   * offering still has that price. Anything else, a cart, a key used before, too few
   * places, a closed slot or a changed price, goes the general way: a transaction that
   * replays or refuses the key, reclaims expired holds when short, and says what is wrong.
   */
  async hold(user: AuthUser, dto: HoldRequestDto, keyed: IdempotentRequest, tried?: AtOnce): Promise<HoldResponseDto> {
    // The lane's try failed: the request fails with that error, as if it had been tried here.
    if (tried?.failed) throw tried.error;
    const held = tried ? null : await this.holdAtOnce(user, dto, keyed);
    if (held) return held;
    // Holds of rental units queue per offering in memory before their transaction opens
    // (they would otherwise wait for the offering's lock on a pooled connection).
    const rentals = (dto.items ?? []).filter((item) => item.startDate !== undefined).map((item) => item.offeringId);
    // Before any transaction opens: the Customer Management Service may take 500 ms.
    if (rentals.length > 0) await this.verifyVehicleRenter(user, rentals);
    return (await this.inventory.whileTakingUnits(rentals, () =>
      this.idempotency.atomic(keyed, () => this.holdInTransaction(user, dto)),
    )) as HoldResponseDto;
  }

  /**
   * The fast path of `hold`: a hold of one time slot as ONE statement; null when it took
   * nothing and the general path (`hold`) must decide. The hold lane (src/hold-lane.ts)
   * calls it directly and hands anything it returns null for to the Nest pipeline.
   */
  async holdAtOnce(user: AuthUser, dto: HoldRequestDto, keyed: IdempotentRequest): Promise<HoldResponseDto | null> {
    const oneSlot = dto.items ? dto.items.length === 1 && dto.items[0].timeSlotId !== undefined : dto.timeSlotId !== undefined;
    if (!oneSlot) return null;
    let line: Line;
    try {
      [line] = await this.lines.resolve(dto, false);
    } catch (error) {
      if (error instanceof AppError) return null; // said again, after the key is checked, by the general path
      throw error;
    }
    if (line.timeSlotId === null) return null;

    const hold = this.newHold(user, dto, [line]);
    const { text, values } = oneSlotHoldStatement({
      hold,
      key: keyed,
      keyExpiresAt: this.idempotency.expiry(),
      allocationId: randomUUID(),
    });
    try {
      const [{ taken }] = await this.txHost.statement<{ taken: boolean }>(text, values);
      if (!taken) return null;
    } catch (error) {
      // A key used before (its primary key refuses the insert), or a rare deadlock: the
      // whole statement rolled back, and the general path replays, refuses or retries.
      if (FALL_BACK_ON.has(sqlState(error) ?? '')) return null;
      throw error;
    }
    this.metrics.holdCreated();
    return hold.response;
  }

  /** The general path of `hold`, inside the idempotency transaction. */
  @Transactional()
  private async holdInTransaction(user: AuthUser, dto: HoldRequestDto): Promise<HoldResponseDto> {
    const lines = await this.lines.resolve(dto, true);
    const currencies = new Set(lines.map((line) => line.offering.currency));
    if (currencies.size > 1) throw invalid('items', 'all items of one hold must be priced in the same currency');
    const hold = this.newHold(user, dto, lines);

    await this.inventory.allocate(
      hold.id,
      lines.map((line) => line.request),
      (resource) => this.reclaimExpiredOn(resource),
    );
    await this.repo.insertHold(hold);
    this.metrics.holdCreated();
    return hold.response;
  }

  /**
   * A new hold's rows and the response that announces it, expiring HOLD_TTL_SECONDS from
   * the app's clock (both hold paths write this value; whether a hold has expired is then
   * decided in SQL against the database's now()).
   */
  private newHold(user: AuthUser, dto: HoldRequestDto, lines: Line[]): NewHold {
    return newHold({
      id: randomUUID(),
      userId: user.sub,
      dto,
      lines,
      holdExpiresAt: new Date(this.clock.nowMs() + this.config.holdTtlSeconds * 1000),
      holdTtlSeconds: this.config.holdTtlSeconds,
    });
  }

  /**
   * Cancels a hold and gives its places back. A hold already past its time is expired
   * instead (that change is kept) and the caller gets HOLD_EXPIRED.
   */
  async cancel(user: AuthUser, reservationId: string): Promise<void> {
    const outcome = await this.txHost.run(async () => {
      const reservation = await this.lockOwned(user, reservationId);
      if (reservation.status === 'held' && reservation.expired) {
        await this.expire([reservation.id]);
        return 'expired' as const;
      }
      if (reservation.status !== 'held') throw invalidStatus(reservation.status, 'cancelled');
      await this.inventory.release([reservation.id]);
      await this.repo.setStatus(reservation.id, 'cancelled', 'USER_CANCELLED');
      return 'cancelled' as const;
    });
    if (outcome === 'expired') throw holdExpired();
  }

  /**
   * Expires these reservations (held ones past their time, locked by the caller) and
   * releases their allocations. Returns how many it expired.
   */
  async expire(reservationIds: string[]): Promise<number> {
    if (reservationIds.length === 0) return 0;
    // The reservations and their events first, the places last: the slot rows the release
    // updates (the ones new holds take) stay locked only for the end of the transaction.
    const count = await this.repo.expireHolds(reservationIds);
    await this.inventory.release(reservationIds);
    this.metrics.holdsExpired(count);
    return count;
  }

  /**
   * Expires up to `limit` holds past their time, oldest first, in ONE statement (its own
   * transaction, see `holdExpiryStatement`): those another transaction has locked are
   * skipped, so sweeps on many replicas expire each hold once. Their IMS items are given
   * back at the IMS once it has committed. Returns how many it expired; fewer than `limit`
   * when no more were due. Must not run inside a transaction.
   */
  async expireDue(limit: number): Promise<number> {
    const { text, values } = holdExpiryStatement(limit);
    // On a connection of its own (the sweep does not queue behind requests for a pooled
    // one), retried whole after a deadlock.
    const [batch] = await this.txHost.statementOnOwnConnection<ExpiryBatch>('hold-expiry', text, values);
    this.inventory.releaseAtIms(batch.imsReservationIds);
    this.metrics.holdsExpired(batch.expired);
    return batch.expired;
  }

  /** Releases whatever a reservation still holds and moves it to a final status (caller's transaction, row locked). */
  async releaseAndSetStatus(reservationId: string, status: 'cancelled' | 'expired', reason: string): Promise<void> {
    await this.inventory.release([reservationId]);
    await this.repo.setStatus(reservationId, status, reason);
    if (status === 'expired') this.metrics.holdsExpired(1);
  }

  /**
   * A reservation and its items, for the modules built on bookings (rentals), or null.
   * `lock: true` locks the reservation's row until the caller's transaction ends.
   */
  async booking(id: string, lock = false): Promise<BookingFacts | null> {
    if (!isUuid(id)) return null;
    const row = lock ? await this.repo.findForUpdate(id) : await this.repo.find(id);
    if (!row) return null;
    return { reservation: row, items: await this.repo.itemsOf([id]) };
  }

  /** Records an event about the booking that is not a status change of its own (a rental's state). Caller's transaction. */
  async recordEvent(reservationId: string, type: RentalEventType, payload: Record<string, unknown> = {}): Promise<void> {
    await this.repo.recordEvent(reservationId, type, payload);
  }

  /** Queues one of the booking's emails in the caller's transaction (modules built on bookings: rentals). */
  async queueEmail(template: EmailTemplate, reservationId: string, extra: Partial<ReservationEmailData> = {}): Promise<void> {
    await this.emails.queue(template, reservationId, extra);
  }

  /** A confirmed booking is done (a vehicle returned and settled): `completed`, with its outbox event. Caller's transaction. */
  async complete(reservationId: string, reason: string): Promise<void> {
    await this.repo.setStatus(reservationId, 'completed', reason);
  }

  /** Locks a reservation the user may act on (their own; any for admins), or throws RESERVATION_NOT_FOUND. */
  private async lockOwned(user: AuthUser, id: string): Promise<{ id: string; status: ReservationStatus; expired: boolean }> {
    if (!isUuid(id)) throw reservationNotFound();
    const row = await this.repo.findForUpdate(id);
    if (!row || (row.userId !== user.sub && !user.roles.includes('admin'))) throw reservationNotFound();
    return { id: row.id, status: row.status, expired: row.expired };
  }

  /**
   * Seed 002: a vehicle is held only for a verified customer (KYC, licence, credit),
   * checked on every vehicle hold. 403 CUSTOMER_NOT_VERIFIED with the reason, or 503
   * CUSTOMER_VERIFICATION_UNAVAILABLE when the service cannot say and nothing is cached.
   */
  private async verifyVehicleRenter(user: AuthUser, offeringIds: string[]): Promise<void> {
    const offerings = await this.catalog.getOfferings(offeringIds);
    if ([...offerings.values()].some((o) => o.vehicle)) await this.verification.requireVerified(user);
  }

  /** Shortage handler for allocate(): expires holds past their time on the short resource. */
  private async reclaimExpiredOn(resource: ShortResource): Promise<boolean> {
    const holders = await this.inventory.holdersOn(resource);
    if (holders.length === 0) return false;
    return (await this.expire(await this.repo.lockExpiredHoldsAmong(holders))) > 0;
  }
}
