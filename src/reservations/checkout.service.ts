import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import type { AuthUser } from '../auth/auth-user';
import { CatalogService } from '../catalog/catalog.service';
import type { RentalPolicy } from '../catalog/catalog.types';
import { rentalPeriod } from '../catalog/rental-policy';
import { InventoryService } from '../inventory/inventory.service';
import { CustomersService } from '../payments/customers.service';
import { PaymentMethodsService } from '../payments/payment-methods.service';
import { toAppError } from '../payments/payments.errors';
import { PaymentsService, type PaymentView } from '../payments/payments.service';
import { type OwnClaims, RefundsService } from '../payments/refunds.service';
import { SupportService } from '../support/support.service';
import type {
  ConfirmReservationDto,
  ConfirmResponseDto,
  ConvertHoldDto,
  ConvertResponseDto,
  PaymentStatusResponseDto,
} from './dto/checkout.dto';
import { ReservationEmails } from './reservation-emails';
import { ReservationMetrics } from './reservation-metrics';
import { holdExpired, invalidStatus, isUuid, reservationNotFound } from './reservations.errors';
import { type ReservationState, ReservationsRepository } from './reservations.repository';
import { ReservationsService } from './reservations.service';

/** What a cancellation does not refund: the shipping of goods already shipped. */
const keptShipping = (r: ReservationState): number => (r.shippedAt ? (r.shippingCents ?? 0) : 0);

/** Who may pay for, convert, confirm or check a reservation: its owner (admins: anyone). */
const mayAct = (user: AuthUser, row: { userId: string }) => row.userId === user.sub || user.roles.includes('admin');

/**
 * From hold to paid (DESIGN.md section 4, seed 004 steps 2-4): convert a hold into a
 * payment attempt, confirm it, report its status, and cancel a paid reservation with a
 * refund by the offering's policy. Money is written locally before the provider is
 * called, and every outcome goes through PaymentsService.applyIntent.
 */
@Injectable()
export class CheckoutService {
  constructor(
    readonly txHost: TransactionHost,
    private readonly repo: ReservationsRepository,
    private readonly catalog: CatalogService,
    private readonly inventory: InventoryService,
    private readonly payments: PaymentsService,
    private readonly refunds: RefundsService,
    private readonly customers: CustomersService,
    private readonly methods: PaymentMethodsService,
    private readonly reservations: ReservationsService,
    private readonly metrics: ReservationMetrics,
    private readonly emails: ReservationEmails,
    private readonly support: SupportService,
    private readonly clock: Clock,
  ) {}

  private readonly logger = new Logger('Checkout');

  /**
   * Seed 004 step 2B. Step 1 (committed): the hold becomes `pending` with a payment
   * attempt row. Step 2: the provider creates (or confirms, with a saved card) the
   * intent under key `pi:{paymentId}`. Safe to run again after any failure: it resumes
   * with the same attempt. A declined or failed attempt may be retried on the same hold
   * while its timer runs (a new attempt, a new intent).
   */
  async convert(user: AuthUser, dto: ConvertHoldDto): Promise<ConvertResponseDto> {
    const plan = await this.txHost.run(async () => {
      const r = await this.lock(user, dto.holdId);
      if (['held', 'pending', 'payment_failed'].includes(r.status) && r.expired) {
        if (r.status === 'held') await this.reservations.expire([r.id]);
        return { expired: true as const };
      }
      if (!['held', 'pending', 'payment_failed'].includes(r.status)) throw invalidStatus(r.status, 'converted');
      if (r.needsShipping && r.shippingCents === null) {
        throw new AppError('SHIPPING_REQUIRED', 'Choose a shipping rate first: PUT /v1/reservations/{id}/shipping');
      }
      const vehicle = await this.vehicleTerms(r.id);
      if (vehicle && !dto.paymentMethodId && dto.savePaymentMethod !== true) {
        // Fines are charged after the customer has left: the card must be kept for that.
        throw new AppError(
          'PAYMENT_METHOD_REQUIRED',
          'A vehicle rental needs a card kept for later charges: pass a saved paymentMethodId or savePaymentMethod: true',
        );
      }
      const saved = dto.paymentMethodId ? await this.methods.resolveForPayment(user.sub, dto.paymentMethodId) : null;
      const attempt = await this.payments.openAttempt({
        reservationId: r.id,
        userId: r.userId,
        // Vehicles: the price and the deposit authorised now, captured after the return
        // (DESIGN.md section 12). Every other kind, rentals that are not vehicles (carriers)
        // included, is paid like goods: captured at confirmation, refunded by policy.
        amount: r.totalCents + (vehicle?.policy.deposit ?? 0),
        currency: r.currency.trim(),
        captureMethod: vehicle ? 'manual' : 'automatic',
      });
      await this.repo.markPending(r.id);
      if (r.status === 'held') this.metrics.holdConverted(); // not a retry after a decline
      return { expired: false as const, attempt, saved, vehicle: vehicle !== null };
    });
    if (plan.expired) throw holdExpired();

    const customerId =
      plan.saved?.customerId ?? (dto.savePaymentMethod || plan.vehicle ? await this.customerFor(user) : undefined);
    let payment: PaymentView;
    try {
      payment = await this.payments.submitAttempt(plan.attempt.paymentId, {
        customerId,
        paymentMethodId: plan.saved?.providerPaymentMethodId,
        // A vehicle's card is (set up again) for off-session use, whether new or saved before.
        saveCard: (dto.savePaymentMethod === true && !plan.saved) || plan.vehicle,
        description: `Holdfast reservation ${dto.holdId}`,
      });
    } catch (error) {
      throw toAppError(error);
    }
    if (!payment.intentId || !payment.clientSecret) {
      // The app can do nothing with a 200 that has no intent to pay: never answer one. The
      // attempt stays open (no failure recorded), so a retry or reconciliation resumes it.
      throw new AppError('PAYMENT_PROCESSING_FAILED', 'The payment could not be processed; please try again');
    }
    const status = await this.statusOf(dto.holdId);
    const money = await this.payments.forReservations([dto.holdId]);
    return {
      reservation: {
        id: dto.holdId,
        status,
        paymentIntentId: payment.intentId,
        paymentStatus: money.get(dto.holdId)!.paymentStatus,
      },
      paymentClientSecret: payment.clientSecret,
      requiresAction: payment.requiresAction,
    };
  }

  /**
   * Seed 004 step 4: asks the provider about the intent and applies it through the same
   * code path as the webhook; whichever comes second changes nothing.
   */
  async confirm(user: AuthUser, dto: ConfirmReservationDto): Promise<ConfirmResponseDto> {
    await this.owned(user, dto.reservationId);
    const found = await this.payments.findByIntent(dto.reservationId, dto.paymentIntentId);
    if (!found) throw new AppError('PAYMENT_NOT_COMPLETED', 'No payment with this PaymentIntent belongs to this reservation');
    let payment: PaymentView;
    try {
      payment = await this.payments.sync(found.paymentId);
    } catch (error) {
      throw toAppError(error);
    }
    const r = await this.owned(user, dto.reservationId);
    if (r.status === 'confirmed' || r.status === 'completed') {
      const authorised = payment.status === 'requires_capture';
      const money = await this.payments.forReservations([r.id]);
      return {
        reservation: {
          id: r.id,
          status: r.status,
          paymentStatus: money.get(r.id)!.paymentStatus,
          reservationReference: r.reference ?? '',
        },
        payment: { paymentId: payment.paymentId, status: authorised ? 'authorized' : 'captured', chargeId: payment.chargeId },
      };
    }
    if (r.status === 'refunded' || r.status === 'expired') {
      throw new AppError(
        'HOLD_EXPIRED',
        'The hold expired before the payment completed and its places were taken; the payment is refunded',
      );
    }
    throw new AppError('PAYMENT_NOT_COMPLETED', `The payment has not completed (status ${payment.status})`);
  }

  /** Seed 004 "Check Payment Status": refreshes an unfinished attempt from the provider first. */
  async paymentStatus(user: AuthUser, reservationId: string): Promise<PaymentStatusResponseDto> {
    await this.owned(user, reservationId);
    let payment = await this.payments.latestFor(reservationId);
    if (payment) payment = await this.payments.sync(payment.paymentId).catch(() => payment as PaymentView);
    const r = await this.owned(user, reservationId);
    const stripeStatus = !payment ? null : payment.status === 'creating' || payment.status === 'failed' ? null : payment.status;
    return {
      success: true,
      data: {
        reservationStatus: r.expired && r.status === 'held' ? 'expired' : r.status,
        paymentIntentId: payment?.intentId ?? null,
        stripeStatus,
        requiresAction: payment?.requiresAction ?? false,
        actionType: payment?.nextActionType ?? null,
      },
    };
  }

  /** POST /reservations/{id}/cancel: a hold is simply released; anything further along goes through cancelPaid. */
  async cancel(user: AuthUser, reservationId: string): Promise<void> {
    const r = await this.owned(user, reservationId);
    if (r.status === 'held') return this.reservations.cancel(user, reservationId);
    return this.cancelPaid(user, reservationId);
  }

  /**
   * Cancels a reservation that has a payment in flight or is paid. Open intents are
   * cancelled at the provider first (one that already succeeded confirms the booking,
   * which is then cancelled like any confirmed one). A confirmed booking is refunded in
   * full when cancelled at least `refundableUntilHours` before it starts, otherwise not
   * at all. An authorisation (manual capture: only attempts made before rentals were
   * captured at confirmation) is released instead.
   */
  async cancelPaid(user: AuthUser, reservationId: string): Promise<void> {
    const r = await this.owned(user, reservationId);
    if (r.status === 'pending' || r.status === 'payment_failed') {
      try {
        await this.payments.cancelOpenIntents(reservationId);
      } catch (error) {
        throw toAppError(error);
      }
    }
    // Written claimed: this call sends them itself after the commit (refunds.service.ts).
    const own: OwnClaims = { refundIds: [], releaseIds: [] };
    let feeCapture: { paymentId: string; fee: number } | null = null;
    await this.txHost.run(async () => {
      own.refundIds = [];
      own.releaseIds = [];
      feeCapture = null;
      const locked = await this.lock(user, reservationId);
      if (locked.status === 'pending' || locked.status === 'payment_failed') {
        await this.reservations.releaseAndSetStatus(locked.id, 'cancelled', 'USER_CANCELLED');
        return;
      }
      if (locked.status !== 'confirmed') throw invalidStatus(locked.status, 'cancelled');
      const payment = await this.payments.latestFor(locked.id);
      const refundable = await this.withinRefundWindow(locked.id);
      const fee = payment?.status === 'requires_capture' ? await this.cancellationFee(locked.id, payment.amount) : 0;
      if (payment?.status === 'requires_capture' && fee > 0) {
        // A vehicle cancelled inside its policy's window: the fee is captured from the
        // authorisation (after the commit), the rest of it released by the provider.
        feeCapture = { paymentId: payment.paymentId, fee };
      } else if (payment?.status === 'requires_capture') {
        await this.refunds.queueCancel(payment.paymentId, true);
        own.releaseIds!.push(payment.paymentId);
      } else if (payment && refundable && payment.captured - payment.refunded - keptShipping(locked) > 0) {
        const refund = await this.refunds.requestRefund(payment.paymentId, {
          // Shipping goes back only while the goods have not left (DESIGN.md section 11).
          ...(keptShipping(locked) > 0 ? { amount: payment.captured - payment.refunded - keptShipping(locked) } : {}),
          reason: 'cancelled by the customer',
          source: 'cancellation',
          claim: true,
        });
        own.refundIds!.push(refund.refundId);
      }
      await this.reservations.releaseAndSetStatus(
        locked.id,
        'cancelled',
        refundable ? 'USER_CANCELLED' : 'USER_CANCELLED_NO_REFUND',
      );
      await this.emails.queue('reservation_cancelled', locked.id);
    });
    await this.refunds.flushPending(own);
    if (feeCapture) await this.captureFee(reservationId, feeCapture);
  }

  /** A vehicle's cancellation fee, when cancelled less than its free-cancellation hours before pickup (0 otherwise). */
  private async cancellationFee(reservationId: string, authorised: number): Promise<number> {
    const vehicle = await this.vehicleTerms(reservationId);
    if (!vehicle) return 0;
    const freeUntil = vehicle.pickupAt.getTime() - vehicle.policy.freeCancellationHours * 3_600_000;
    return this.clock.nowMs() < freeUntil ? 0 : Math.min(vehicle.policy.cancellationFee, authorised);
  }

  /** Captures a cancellation fee; a failure leaves the authorisation to a person (it lapses by itself otherwise). */
  private async captureFee(reservationId: string, { paymentId, fee }: { paymentId: string; fee: number }): Promise<void> {
    try {
      await this.payments.capture(paymentId, fee);
    } catch (error) {
      this.logger.error({ err: error, reservationId, paymentId, fee }, 'could not capture a cancellation fee');
      await this.support.open('rental_cancellation_fee_failed', reservationId, { paymentId, fee });
    }
  }

  /** A vehicle booking's terms (its offering's policy, its pickup time), or null when it books no vehicle. */
  private async vehicleTerms(reservationId: string): Promise<{ policy: RentalPolicy; pickupAt: Date } | null> {
    const items = await this.repo.itemsOf([reservationId]);
    const offerings = await this.catalog.getOfferings(items.map((i) => i.offeringId));
    const item = items.find((i) => offerings.get(i.offeringId)?.vehicle && i.startDate && i.endDate);
    const policy = item && offerings.get(item.offeringId)!.rentalPolicy;
    if (!item || !policy) return null;
    return { policy, pickupAt: rentalPeriod(item.startDate!, item.endDate!, policy).pickupAt };
  }

  private async customerFor(user: AuthUser): Promise<string> {
    try {
      return await this.customers.ensureCustomer(user.sub, user.email);
    } catch (error) {
      throw toAppError(error);
    }
  }

  /** Refundable when every item starts at least refundableUntilHours from now (null hours: never). */
  private async withinRefundWindow(reservationId: string): Promise<boolean> {
    const items = await this.repo.itemsOf([reservationId]);
    const [offerings, slots] = await Promise.all([
      this.catalog.getOfferings(items.map((i) => i.offeringId)),
      this.inventory.getSlots(items.flatMap((i) => (i.timeSlotId ? [i.timeSlotId] : []))),
    ]);
    return this.repo.refundWindowOpen(
      items
        .filter((i) => offerings.has(i.offeringId))
        .map((i) => ({
          slotStartsAt: (i.timeSlotId && slots.get(i.timeSlotId)?.startsAt) || null,
          startDate: i.startDate,
          refundableUntilHours: offerings.get(i.offeringId)!.refundableUntilHours,
        })),
    );
  }

  private async statusOf(reservationId: string): Promise<string> {
    return (await this.repo.find(reservationId))!.status;
  }

  /** The reservation, if the user may act on it, or RESERVATION_NOT_FOUND. */
  private async owned(user: AuthUser, id: string): Promise<ReservationState> {
    if (!isUuid(id)) throw reservationNotFound();
    return this.mayActOn(user, await this.repo.find(id));
  }

  /** As `owned`, its row locked until the transaction ends. */
  private async lock(user: AuthUser, id: string): Promise<ReservationState> {
    if (!isUuid(id)) throw reservationNotFound();
    return this.mayActOn(user, await this.repo.findForUpdate(id));
  }

  private mayActOn(user: AuthUser, row: ReservationState | null): ReservationState {
    if (!row || !mayAct(user, row)) throw reservationNotFound();
    return row;
  }
}
