import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { TransactionHost } from '@holdfast/database';
import { JobsService } from '@holdfast/jobs';
import { OffSessionChargesService, type OffSessionResult } from '../payments/off-session-charges.service';
import { PaymentsService } from '../payments/payments.service';
import { ReservationsService } from '../reservations/reservations.service';
import { SupportService } from '../support/support.service';
import { rentalMoney } from './rental-money';
import { RentalsConfig } from './rentals.config';
import { RentalsRepository } from './rentals.repository';
import { RentalsService } from './rentals.service';
import type { Rental } from './rentals.types';

/** Authorises a scheduled booking off-session, RENTAL_AUTH_LEAD_DAYS before pickup. Data: `{ reservationId }`. */
export const AUTHORIZE_JOB = 'rentals-authorize';
/** Looks at a booking's open authorisation and renews it from its `capture_before` when due. Data: `{ reservationId }`. */
export const RENEW_JOB = 'rentals-renew';
/** Cancels a booking whose authorisation still waits for the customer 24 h before pickup. Data: `{ reservationId }`. */
export const DEADLINE_JOB = 'rentals-action-deadline';

/**
 * How long after the return time an authorisation must still hold: the return is
 * verified (photos, readings, a dispute looked at) and captured within it. A named
 * constant, not configuration: it is a promise of the settlement, not a tunable.
 */
export const VERIFICATION_WINDOW_HOURS = 24;
/** A renewal runs this long before the authorisation's `capture_before` (retries and a slow provider fit in). */
export const RENEW_HOURS_BEFORE_LAPSE = 12;
/** A booking whose authorisation still waits for the customer this long before pickup is cancelled. */
export const ACTION_DEADLINE_HOURS = 24;
/** A job that starts earlier than its time by more than this (another clock, a moved pickup) waits again. */
const EARLY_TOLERANCE_MS = 5 * 60_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** What a step did, as the job's output (ids and times only). */
export type ScheduleOutcome = Record<string, string | number | boolean | null>;

/**
 * A vehicle booking's money between confirmation and return (DESIGN.md section 12,
 * "Money"; docs/payments.md, "The vehicle money schedule"). Every schedule runs from the
 * provider's own `capture_before`, never from a constant:
 *
 * - `authorize`: a booking confirmed with its card set up (`paymentStatus: scheduled`) is
 *   authorised off-session (price + deposit, manual capture, extended and incremental
 *   authorisation asked for) RENTAL_AUTH_LEAD_DAYS before pickup.
 * - `renew`: an open authorisation whose `capture_before` falls before the return plus
 *   the verification window is renewed RENEW_HOURS_BEFORE_LAPSE before it lapses: a new
 *   authorisation first (`purpose: renewal`), then the old one released.
 * - A declined off-session attempt (e.g. `authentication_required`) asks the customer to
 *   complete it in the app (`paymentStatus: requires_action`, the client secret on the
 *   payment-status route): an email, a support case, and for the first authorisation a
 *   deadline 24 h before pickup, when `deadline` cancels the booking (unit freed, the
 *   intent cancelled, nothing charged).
 *
 * Every step reads where the money stands first and is safe to run again or at once
 * with another (payments serialises the attempts of one reservation).
 */
@Injectable()
export class MoneyScheduleService {
  private readonly logger = new Logger('MoneySchedule');

  constructor(
    private readonly txHost: TransactionHost,
    private readonly jobs: JobsService,
    private readonly repo: RentalsRepository,
    private readonly rentals: RentalsService,
    private readonly reservations: ReservationsService,
    private readonly payments: PaymentsService,
    private readonly charges: OffSessionChargesService,
    private readonly support: SupportService,
    private readonly config: RentalsConfig,
    private readonly clock: Clock,
  ) {}

  /** When a scheduled booking is authorised: RENTAL_AUTH_LEAD_DAYS before pickup. */
  authorizeAt(rental: Pick<Rental, 'pickupAt'>): Date {
    return new Date(rental.pickupAt.getTime() - this.config.rentalAuthLeadDays * DAY_MS);
  }

  /** Until when the customer may complete a declined first authorisation: 24 h before pickup. */
  actionDeadline(rental: Pick<Rental, 'pickupAt'>): Date {
    return new Date(rental.pickupAt.getTime() - ACTION_DEADLINE_HOURS * HOUR_MS);
  }

  /** Seconds from the app's clock to `at` (0 when past), for a job's start. */
  secondsUntil(at: Date): number {
    return Math.max(0, Math.ceil((at.getTime() - this.clock.nowMs()) / 1000));
  }

  /** `rentals-authorize`: the scheduled off-session authorisation of price + deposit. */
  async authorize(reservationId: string): Promise<ScheduleOutcome> {
    const rental = await this.rentals.get(reservationId);
    const skipped = rental ? await this.notScheduled(rental) : 'not a vehicle booking';
    if (skipped || !rental) return { skipped };
    const at = this.authorizeAt(rental);
    if (this.clock.nowMs() < at.getTime() - EARLY_TOLERANCE_MS) {
      await this.jobs.enqueue(AUTHORIZE_JOB, { reservationId }, { startAfterSeconds: this.secondsUntil(at) });
      return { deferredTo: at.toISOString() };
    }
    const result = await this.charges.authorize({
      reservationId,
      userId: rental.userId,
      amount: rental.priceCents + rental.depositCents,
      currency: rental.currency,
      purpose: 'booking',
      cardOf: null,
      description: `Holdfast rental ${reservationId}: price and deposit`,
    });
    return this.afterAttempt(rental, result, 'booking', this.actionDeadline(rental));
  }

  /**
   * `rentals-renew`: keeps the booking's authorisation alive until the return is verified.
   * The newest open authorisation holds the booking (older ones, renewed, are released);
   * when its `capture_before` falls before the return plus VERIFICATION_WINDOW_HOURS, a
   * renewal runs RENEW_HOURS_BEFORE_LAPSE before it, or this job is queued again for
   * then (`fromPass`: the safety pass acts when due and queues nothing).
   */
  async renew(reservationId: string, options: { fromPass?: boolean } = {}): Promise<ScheduleOutcome> {
    const open = async () =>
      (await this.payments.allFor(reservationId)).filter((p) => p.purpose !== 'fine' && p.status === 'requires_capture');
    const first = await open();
    if (first.length === 0) return { skipped: 'no open authorisation' };
    // The lapse time first, so a rental row written now never shows an authorisation without it.
    const current = await this.payments.authorizationFacts(first.at(-1)!.paymentId);
    const rental = await this.rentals.get(reservationId);
    if (!rental) return { skipped: 'not a vehicle booking' };
    if (rental.rentalStatus === 'completed') {
      // Settled: an authorisation that landed since (a renewal the customer completed late) holds money for nothing.
      for (const late of await open()) await this.payments.releaseAuthorization(late.paymentId);
      return { skipped: 'completed' };
    }
    if (rental.rentalStatus !== 'not_started' && rental.rentalStatus !== 'in_progress') return { skipped: rental.rentalStatus };
    if ((await this.bookingStatus(reservationId)) !== 'confirmed') return { skipped: 'booking not confirmed' };
    // New before old: an authorisation replaced by a renewal is released once the renewal holds.
    for (const old of (await open()).filter((p) => p.createdAt < current.createdAt)) {
      await this.payments.releaseAuthorization(old.paymentId);
    }
    if (current.status !== 'requires_capture') return { skipped: current.status };
    if (!current.captureBefore) throw new Error(`the provider has not said when authorisation ${current.paymentId} lapses`);
    const mustHoldUntil = rental.returnAt.getTime() + VERIFICATION_WINDOW_HOURS * HOUR_MS;
    if (current.captureBefore.getTime() >= mustHoldUntil) return { covered: current.captureBefore.toISOString() };
    const renewAt = new Date(current.captureBefore.getTime() - RENEW_HOURS_BEFORE_LAPSE * HOUR_MS);
    if (this.clock.nowMs() < renewAt.getTime()) {
      if (!options.fromPass) {
        await this.jobs.enqueue(RENEW_JOB, { reservationId }, { startAfterSeconds: this.secondsUntil(renewAt) });
      }
      return { renewAt: renewAt.toISOString() };
    }
    const result = await this.charges.authorize({
      reservationId,
      userId: rental.userId,
      amount: current.amount,
      currency: rental.currency,
      purpose: 'renewal',
      cardOf: current.paymentId,
      description: `Holdfast rental ${reservationId}: authorisation renewed`,
    });
    if (result.status !== 'requires_capture') return this.afterAttempt(rental, result, 'renewal', current.captureBefore);
    await this.payments.releaseAuthorization(current.paymentId);
    return { renewed: result.paymentId, released: current.paymentId, captureBefore: result.captureBefore?.toISOString() ?? null };
  }

  /**
   * `rentals-action-deadline`: 24 h before pickup, a booking whose first authorisation
   * still waits for the customer is cancelled: its intent cancelled at the provider first
   * (so it can never be completed: nothing is charged), then the reservation cancelled and
   * its unit freed in one transaction, and the customer emailed. Completed in time: nothing.
   */
  async deadline(reservationId: string): Promise<ScheduleOutcome> {
    const rental = await this.repo.find(reservationId);
    if (!rental) return { skipped: 'no rental' };
    if ((await this.bookingStatus(reservationId)) !== 'confirmed') return { skipped: 'booking not confirmed' };
    if (await this.payments.hasMoneyMoving(reservationId)) return { resolved: true };
    const deadline = this.actionDeadline(rental);
    if (this.clock.nowMs() < deadline.getTime() - EARLY_TOLERANCE_MS) {
      await this.jobs.enqueue(DEADLINE_JOB, { reservationId }, { startAfterSeconds: this.secondsUntil(deadline) });
      return { deferredTo: deadline.toISOString() };
    }
    await this.payments.cancelOpenIntents(reservationId);
    const cancelled = await this.txHost.run(async () => {
      const booking = await this.reservations.booking(reservationId, true);
      if (booking?.reservation.status !== 'confirmed') return false;
      // Completed at the last moment (the cancel came too late): the booking stands.
      if (await this.payments.hasMoneyMoving(reservationId)) return false;
      await this.reservations.releaseAndSetStatus(reservationId, 'cancelled', 'PAYMENT_ACTION_NOT_COMPLETED');
      await this.reservations.queueEmail('reservation_cancelled', reservationId, { refundCents: 0 });
      return true;
    });
    if (cancelled) this.logger.log({ reservationId }, 'booking cancelled: its authorisation was not completed in time');
    return cancelled ? { cancelled: true } : { resolved: true };
  }

  /** Why a booking has no scheduled authorisation to make (null: it has). */
  private async notScheduled(rental: Rental): Promise<string | null> {
    if (rental.rentalStatus !== 'not_started') return rental.rentalStatus;
    const status = await this.bookingStatus(rental.reservationId);
    if (status !== 'confirmed') return `booking ${status}`;
    const paymentStatus = (await this.payments.forReservations([rental.reservationId])).get(rental.reservationId)!.paymentStatus;
    // requires_action: authorise again finds the declined attempt and makes sure the customer was told.
    return paymentStatus === 'scheduled' || paymentStatus === 'requires_action' ? null : `payment ${paymentStatus}`;
  }

  /** What an off-session attempt's answer means: authorised; the customer must act; or try again later (thrown). */
  private async afterAttempt(
    rental: Rental,
    result: OffSessionResult,
    purpose: 'booking' | 'renewal',
    deadline: Date,
  ): Promise<ScheduleOutcome> {
    if (result.status === 'requires_capture') {
      return { authorized: result.paymentId, captureBefore: result.captureBefore?.toISOString() ?? null };
    }
    const waiting = result.status === 'requires_action' || (result.status === 'requires_payment_method' && !!result.failureCode);
    if (!waiting && result.status !== 'failed') throw new Error(`off-session ${purpose} authorisation is ${result.status}`);
    await this.actionRequired(rental, result, purpose, deadline);
    return { actionRequired: result.paymentId, failureCode: result.failureCode, deadline: deadline.toISOString() };
  }

  /**
   * The customer must complete an authorisation in the app (or a person must help): an
   * email with the deadline, a support case, and for the first authorisation the job that
   * cancels the booking at the deadline. Once per attempt, in one transaction.
   */
  private async actionRequired(
    rental: Rental,
    result: OffSessionResult,
    purpose: 'booking' | 'renewal',
    deadline: Date,
  ): Promise<void> {
    const id = rental.reservationId;
    const facts = await this.emailFacts(rental);
    await this.txHost.run(async () => {
      if (!(await this.repo.markActionRequired(id, result.paymentId))) return;
      await this.support.open(
        purpose === 'booking' ? 'rental_authorization_action_required' : 'rental_renewal_action_required',
        id,
        {
          paymentId: result.paymentId,
          failureCode: result.failureCode,
          deadline: deadline.toISOString(),
        },
      );
      await this.reservations.queueEmail('rental_action_required', id, {
        rental: { ...facts, actionDeadline: deadline.toISOString() },
      });
      // A renewal that is not completed leaves the booking to its current authorisation (and the case to a person).
      if (purpose === 'booking') {
        await this.jobs.enqueue(DEADLINE_JOB, { reservationId: id }, { startAfterSeconds: this.secondsUntil(deadline) });
      }
    });
    this.logger.warn(
      { reservationId: id, paymentId: result.paymentId, purpose, code: result.failureCode },
      'authorisation needs the customer',
    );
  }

  private async bookingStatus(reservationId: string): Promise<string> {
    return (await this.reservations.booking(reservationId))?.reservation.status ?? 'unknown';
  }

  private async emailFacts(rental: Rental) {
    const fines = await this.repo.fines(rental.reservationId);
    const m = rentalMoney(rental, fines, await this.payments.allFor(rental.reservationId));
    return {
      pickupAt: rental.pickupAt.toISOString(),
      returnAt: rental.returnAt.toISOString(),
      priceCents: m.price,
      dueCents: m.due,
      capturedCents: m.captured,
      chargedCents: m.charged,
      refundedCents: m.refunded,
      owedCents: m.owed,
      fines: [],
    };
  }
}
