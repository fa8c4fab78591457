import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { type JobPolicy, JobsService, PermanentJobError } from '@holdfast/jobs';
import type { ReservationEmailData } from '../notifications/notifications.types';
import { OffSessionChargesService } from '../payments/off-session-charges.service';
import { PaymentsService, type PaymentView } from '../payments/payments.service';
import { RefundsService } from '../payments/refunds.service';
import { ReservationsService } from '../reservations/reservations.service';
import { SupportService } from '../support/support.service';
import { rentalMoney } from './rental-money';
import { RentalsRepository } from './rentals.repository';
import type { Rental, RentalFine } from './rentals.types';

/** Brings a returned rental's money in line with what it owes. Data: `{ reservationId }`. */
export const SETTLE_JOB = 'rentals-settle';
/**
 * Retries a fine charge that failed: three more tries, a day apart (72 hours). Data:
 * `{ reservationId, attempt }` (2, 3, 4: the first try was the settlement's). At most one
 * is queued per rental (singleton key), so a failure met again never starts a second chain.
 */
export const FINE_RETRY_JOB = 'rentals-fine-retry';

export const SETTLE_POLICY: JobPolicy = { retryLimit: 8, retryDelaySeconds: 30, retryBackoff: true, expireInSeconds: 120 };
export const FINE_RETRIES = 3;
export const FINE_RETRY_SECONDS = 24 * 3600;

/** Payment statuses that may still move money on their own: wait for them before deciding. */
const IN_FLIGHT = ['creating', 'processing', 'requires_confirmation'];
/** A fine charge that did not go through and could still be paid: owed, its failure already told. */
const UNPAID = ['requires_payment_method', 'requires_action'];

/**
 * Settles a returned vehicle rental (DESIGN.md section 12, "Capture and fines"), run as a
 * job queued in the transaction that recorded the return (or a verdict, or a fine), so
 * it runs if and only if that committed, and again after any failure. Every step reads
 * where the money stands first, so a run cut short and run again takes nothing twice:
 *
 * 1. An open authorisation is captured up to what is due (`amount_to_capture`; the rest
 *    of the deposit is released). A disputed return captures the undisputed price only,
 *    so no authorisation lapses while an admin looks.
 * 2. Due above what was taken: an off-session charge (`purpose: fine`) to the card of the
 *    booking, replacing any earlier one that failed. Declined: the rental and its booking
 *    stay as they are and the amount is owed; the first failure (none unpaid before it)
 *    emails the customer a way to pay and opens a support case, and the charge is tried
 *    three more times, a day apart. A pass that meets the failure again (an admin changed
 *    a fine meanwhile) tries once and leaves the retries to their chain.
 * 3. Taken above what is due (a fine lowered after capture): the difference refunded.
 * 4. Settled: a failed charge no longer owed is withdrawn (it can no longer be paid);
 *    verified, the rental and its reservation are completed.
 *
 * Passes over one rental run one at a time (a settlement lock), whoever runs them.
 */
@Injectable()
export class RentalSettlementJob implements OnModuleInit {
  private readonly logger = new Logger('RentalSettlement');

  constructor(
    private readonly jobs: JobsService,
    private readonly txHost: TransactionHost,
    private readonly repo: RentalsRepository,
    private readonly payments: PaymentsService,
    private readonly charges: OffSessionChargesService,
    private readonly refunds: RefundsService,
    private readonly reservations: ReservationsService,
    private readonly support: SupportService,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.jobs.register<{ reservationId: string }>(SETTLE_JOB, (data) => this.settle(data.reservationId), SETTLE_POLICY);
    await this.jobs.register<{ reservationId: string; attempt: number }>(
      FINE_RETRY_JOB,
      (data) => this.settle(data.reservationId, Math.max(2, data.attempt)),
      { retryLimit: 3, retryDelaySeconds: 60, retryBackoff: true, expireInSeconds: 120 },
    );
  }

  /**
   * Runs one settlement pass, under the rental's settlement lock; `retry` is the attempt
   * of a failed fine charge a retry job makes (2, 3, 4), absent for every other pass.
   */
  async settle(reservationId: string, retry?: number): Promise<object> {
    return this.repo.withSettlementLock(reservationId, () => this.pass(reservationId, retry));
  }

  private async pass(reservationId: string, retry: number | undefined): Promise<object> {
    const rental = await this.repo.find(reservationId);
    if (!rental || !['returned', 'return_disputed', 'completed'].includes(rental.rentalStatus)) {
      return { skipped: rental?.rentalStatus ?? 'no rental' };
    }
    let { payments, pending } = await this.standing(reservationId);
    if (payments.some((p) => IN_FLIGHT.includes(p.status))) {
      // A capture, charge or confirmation still moving: decide once it has landed.
      throw new Error('a payment of the rental is still in flight');
    }
    const fines = await this.repo.fines(reservationId);
    const disputed = rental.rentalStatus === 'return_disputed';
    const money = rentalMoney(rental, fines, payments);
    const due = disputed ? Math.min(money.due, rental.priceCents) : money.due;
    const taken = () => takenOf(rental, fines, payments, pending);
    const reload = async () => ({ payments, pending } = await this.standing(reservationId));

    for (let auth of payments.filter((p) => p.purpose !== 'fine' && p.status === 'requires_capture')) {
      // Fines above the hold go onto it first where the card allows (incremental authorisation).
      if (due - taken() > auth.amount) auth = (await this.payments.incrementAuthorization(auth.paymentId, due - taken())) ?? auth;
      const capture = Math.min(Math.max(0, due - taken()), auth.amount);
      if (capture > 0) await this.payments.capture(auth.paymentId, capture);
      else await this.payments.releaseAuthorization(auth.paymentId);
      await reload();
    }
    if (disputed) return { captured: taken(), disputed: true };

    if (due > taken()) {
      const charged = await this.chargeFine(rental, due, payments, retry);
      await reload();
      if (!charged) return { owed: due - taken() };
    }
    if (due < taken()) {
      await this.refundExcess(taken() - due, payments, pending);
      await reload();
    }
    // Settled: a charge that failed is owed no more (paid by a retry, or waived).
    for (const p of payments.filter((p) => p.purpose === 'fine' && UNPAID.includes(p.status))) {
      await this.charges.withdraw(p.paymentId);
    }

    if (rental.rentalStatus === 'returned') {
      await this.txHost.run(async () => {
        const locked = await this.repo.find(reservationId, true);
        if (locked?.rentalStatus !== 'returned') return;
        await this.repo.setStatus(reservationId, 'completed');
        await this.reservations.recordEvent(reservationId, 'rental_completed', { settledCents: taken(), dueCents: due });
        await this.reservations.complete(reservationId, 'RENTAL_COMPLETED');
        await this.reservations.queueEmail('rental_completed', reservationId, { rental: await this.emailFacts(rental) });
      });
    }
    return { settled: taken(), due };
  }

  /**
   * Charges what is `due` beyond what was taken off-session to the booking's card, after
   * withdrawing the charges that failed before (one payable charge at a time). True when
   * nothing is owed after; false when the card declined (a first failure tells the
   * customer and opens a case; a retry chain carries on). A charge that never reached
   * the provider throws, so the job retries it: an outage is not the customer's decline.
   */
  private async chargeFine(rental: Rental, due: number, payments: PaymentView[], retry: number | undefined): Promise<boolean> {
    const booking = payments.find((p) => p.purpose !== 'fine' && p.captured > 0);
    if (!booking) throw new PermanentJobError('the rental has no captured booking payment whose card a fine could be charged to');
    const unpaid = payments.filter((p) => p.purpose === 'fine' && UNPAID.includes(p.status));
    for (const p of unpaid) await this.charges.withdraw(p.paymentId);
    // Withdrawing may have found one paid meanwhile: charge only what is still missing.
    const now = await this.standing(rental.reservationId);
    const amount = due - takenOf(rental, await this.repo.fines(rental.reservationId), now.payments, now.pending);
    if (amount <= 0) return true;
    const result = await this.charges.charge({
      reservationId: rental.reservationId,
      userId: rental.userId,
      amount,
      currency: rental.currency,
      purpose: 'fine',
      cardOf: booking.paymentId,
      description: `Holdfast rental ${rental.reservationId}: fines`,
    });
    if (result.status === 'succeeded') return true;
    if (result.status === 'failed') throw new Error(`the fine charge ${result.paymentId} did not reach the provider`);
    const attempt = retry ?? 1;
    this.logger.warn({ reservationId: rental.reservationId, attempt, status: result.status }, 'a fine charge did not go through');
    // A failure met again (one was unpaid before this pass) was told already, and its retries are under way or done.
    const firstFailure = unpaid.length === 0;
    await this.txHost.run(async () => {
      if (firstFailure) {
        await this.support.open('rental_fine_unpaid', rental.reservationId, {
          amount,
          currency: rental.currency,
          paymentId: result.paymentId,
        });
        await this.reservations.queueEmail('rental_payment_failed', rental.reservationId, {
          rental: await this.emailFacts(rental),
        });
      }
      if ((firstFailure || retry !== undefined) && attempt <= FINE_RETRIES) {
        await this.jobs.enqueue(
          FINE_RETRY_JOB,
          { reservationId: rental.reservationId, attempt: attempt + 1 },
          { startAfterSeconds: FINE_RETRY_SECONDS, singletonKey: `fine-retry:${rental.reservationId}` },
        );
      }
    });
    return false;
  }

  /** What the rental emails say of the money, as it stands now. */
  private async emailFacts(rental: Rental): Promise<NonNullable<ReservationEmailData['rental']>> {
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
      fines: fines.filter((f) => f.amountCents > 0).map((f) => ({ kind: f.kind, amountCents: f.amountCents, reason: f.reason })),
    };
  }

  /**
   * The rental's payments, and the refunds of each still pending (written, not yet
   * answered by the provider): sent again with their own keys until they land, so they
   * count as given back. Counted as not, the next pass would refund the same money again.
   */
  private async standing(reservationId: string): Promise<{ payments: PaymentView[]; pending: Map<string, number> }> {
    const payments = await this.payments.allFor(reservationId);
    const pending = new Map<string, number>();
    for (const p of payments.filter((p) => p.captured > p.refunded)) {
      const amount = (await this.refunds.listFor(p.paymentId))
        .filter((r) => r.status === 'pending')
        .reduce((sum, r) => sum + r.amount, 0);
      if (amount > 0) pending.set(p.paymentId, amount);
    }
    return { payments, pending };
  }

  /** Refunds `amount` from what was taken, newest charge first (a fine lowered after capture). */
  private async refundExcess(amount: number, payments: PaymentView[], pending: Map<string, number>): Promise<void> {
    let left = amount;
    const own: { refundIds: string[] } = { refundIds: [] };
    await this.txHost.run(async () => {
      own.refundIds = [];
      left = amount;
      for (const p of [...payments].reverse()) {
        const refundable = p.captured - p.refunded - (pending.get(p.paymentId) ?? 0);
        if (left <= 0 || refundable <= 0) continue;
        const part = Math.min(left, refundable);
        const refund = await this.refunds.requestRefund(p.paymentId, {
          amount: part,
          reason: 'rental fine lowered',
          source: 'admin',
          claim: true,
        });
        own.refundIds.push(refund.refundId);
        left -= part;
      }
    });
    await this.refunds.flushPending(own);
  }
}

/** What the rental has taken and kept: captured and charged, less what was refunded or is being refunded. */
function takenOf(rental: Rental, fines: RentalFine[], payments: PaymentView[], pending: Map<string, number>): number {
  const m = rentalMoney(rental, fines, payments);
  return m.captured + m.charged - m.refunded - [...pending.values()].reduce((sum, amount) => sum + amount, 0);
}
