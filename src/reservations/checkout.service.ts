import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import type { AuthUser } from '../auth/auth-user';
import { CatalogService } from '../catalog/catalog.service';
import { InventoryService } from '../inventory/inventory.service';
import { CustomersService } from '../payments/customers.service';
import { PaymentMethodsService } from '../payments/payment-methods.service';
import { type PaymentSetup, PaymentSetupsService } from '../payments/payment-setups.service';
import { toAppError } from '../payments/payments.errors';
import { PaymentsService, type PaymentView } from '../payments/payments.service';
import { type OwnClaims, RefundsService } from '../payments/refunds.service';
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
import { type CancellationFee, VehicleCheckout } from './vehicle-checkout';

/** What a cancellation does not refund: the shipping of goods already shipped. */
const keptShipping = (r: ReservationState): number => (r.shippedAt ? (r.shippingCents ?? 0) : 0);

/** Attempt and SetupIntent statuses in which the customer can still complete it with its client secret. */
const CUSTOMER_CAN_COMPLETE = ['requires_payment_method', 'requires_confirmation', 'requires_action'];

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
    private readonly vehicles: VehicleCheckout,
    private readonly setups: PaymentSetupsService,
  ) {}

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
      const vehicle = await this.vehicles.terms(r.id);
      if (vehicle && !dto.paymentMethodId && dto.savePaymentMethod !== true) {
        // Fines are charged after the customer has left: the card must be kept for that.
        throw new AppError(
          'PAYMENT_METHOD_REQUIRED',
          'A vehicle rental needs a card kept for later charges: pass a saved paymentMethodId or savePaymentMethod: true',
        );
      }
      const saved = dto.paymentMethodId ? await this.methods.resolveForPayment(user.sub, dto.paymentMethodId) : null;
      if (vehicle && this.vehicles.scheduled(vehicle)) {
        // Picked up later than the lead days: the card is set up now, authorised off-session later.
        const setup = await this.setups.open({ reservationId: r.id, userId: r.userId, withCard: saved !== null });
        await this.repo.markPending(r.id);
        if (r.status === 'held') this.metrics.holdConverted();
        return { expired: false as const, setup, saved, vehicle: true };
      }
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
    if (plan.setup) return this.convertScheduled(user, dto.holdId, plan.setup, plan.saved);

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
      clientSecretType: 'payment_intent',
    };
  }

  /**
   * Convert's second step for a vehicle picked up later than RENTAL_AUTH_LEAD_DAYS: the
   * SetupIntent (key `seti:{setupId}`, confirmed at once with a saved card); the app
   * completes it with `confirmSetup` (`clientSecretType: setup_intent`) and the booking is
   * confirmed with `paymentStatus: scheduled` once it succeeds (webhook or confirm call).
   */
  private async convertScheduled(
    user: AuthUser,
    holdId: string,
    setup: PaymentSetup,
    saved: { customerId: string; providerPaymentMethodId: string } | null,
  ): Promise<ConvertResponseDto> {
    let done: PaymentSetup;
    try {
      const customerId = saved?.customerId ?? (await this.customerFor(user));
      done = await this.setups.submit(setup.setupId, { customerId, paymentMethodId: saved?.providerPaymentMethodId });
    } catch (error) {
      throw toAppError(error);
    }
    if (!done.setupIntentId || !done.clientSecret) {
      throw new AppError('PAYMENT_PROCESSING_FAILED', 'The card could not be set up; please try again');
    }
    const money = await this.payments.forReservations([holdId]);
    return {
      reservation: {
        id: holdId,
        status: await this.statusOf(holdId),
        paymentIntentId: done.setupIntentId,
        paymentStatus: money.get(holdId)!.paymentStatus,
      },
      paymentClientSecret: done.clientSecret,
      requiresAction: done.status === 'requires_action',
      clientSecretType: 'setup_intent',
    };
  }

  /**
   * Seed 004 step 4: asks the provider about the intent and applies it through the same
   * code path as the webhook; whichever comes second changes nothing.
   */
  async confirm(user: AuthUser, dto: ConfirmReservationDto): Promise<ConfirmResponseDto> {
    await this.owned(user, dto.reservationId);
    const found = await this.payments.findByIntent(dto.reservationId, dto.paymentIntentId);
    if (!found) {
      // A vehicle booked ahead: convert answered a SetupIntent's id (`clientSecretType: setup_intent`).
      const setup = await this.setups.findByIntent(dto.reservationId, dto.paymentIntentId);
      if (setup) return this.confirmSetup(user, dto.reservationId, setup);
      throw new AppError('PAYMENT_NOT_COMPLETED', 'No payment with this PaymentIntent belongs to this reservation');
    }
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

  /** The confirm call for a SetupIntent: reads it from the provider and applies it (the webhook's path). */
  private async confirmSetup(user: AuthUser, reservationId: string, found: PaymentSetup): Promise<ConfirmResponseDto> {
    let setup: PaymentSetup;
    try {
      setup = await this.setups.sync(found.setupId);
    } catch (error) {
      throw toAppError(error);
    }
    const r = await this.owned(user, reservationId);
    if (setup.status === 'succeeded' && (r.status === 'confirmed' || r.status === 'completed')) {
      const money = await this.payments.forReservations([r.id]);
      return {
        reservation: {
          id: r.id,
          status: r.status,
          paymentStatus: money.get(r.id)!.paymentStatus,
          reservationReference: r.reference ?? '',
        },
        payment: { paymentId: setup.setupId, status: 'scheduled', chargeId: null },
      };
    }
    if (setup.status === 'succeeded' && r.status === 'expired') {
      throw new AppError(
        'HOLD_EXPIRED',
        'The hold expired before the card was set up and its vehicle was taken; nothing was charged',
      );
    }
    throw new AppError('PAYMENT_NOT_COMPLETED', `The card has not been set up (status ${setup.status})`);
  }

  /**
   * Seed 004 "Check Payment Status": refreshes an unfinished attempt (or, for a vehicle
   * booked ahead with no attempt yet, its SetupIntent) from the provider first. Where the
   * customer must act (3-D Secure, or a vehicle's off-session authorisation declined) it
   * carries the client secret to complete it with.
   */
  async paymentStatus(user: AuthUser, reservationId: string): Promise<PaymentStatusResponseDto> {
    await this.owned(user, reservationId);
    let payment = await this.payments.latestFor(reservationId);
    if (payment) payment = await this.payments.sync(payment.paymentId).catch(() => payment as PaymentView);
    let setup = payment ? null : await this.setups.latestFor(reservationId);
    if (setup) setup = await this.setups.sync(setup.setupId).catch(() => setup as PaymentSetup);
    const r = await this.owned(user, reservationId);
    const open = (status: string) => CUSTOMER_CAN_COMPLETE.includes(status);
    const data = { reservationStatus: r.expired && r.status === 'held' ? 'expired' : r.status };
    if (setup) {
      return {
        success: true,
        data: {
          ...data,
          paymentIntentId: setup.setupIntentId,
          stripeStatus: setup.status === 'creating' || setup.status === 'failed' ? null : setup.status,
          requiresAction: setup.status === 'requires_action',
          actionType: setup.status === 'requires_action' ? setup.nextActionType : null,
          clientSecret: open(setup.status) ? setup.clientSecret : null,
          clientSecretType: 'setup_intent',
        },
      };
    }
    const stripeStatus = !payment ? null : payment.status === 'creating' || payment.status === 'failed' ? null : payment.status;
    // A vehicle's off-session authorisation that was declined waits for the customer, as 3-D Secure does.
    const declinedOffSession =
      payment?.offSession === true && payment.status === 'requires_payment_method' && !!payment.failureCode;
    return {
      success: true,
      data: {
        ...data,
        paymentIntentId: payment?.intentId ?? null,
        stripeStatus,
        requiresAction: (payment?.requiresAction ?? false) || declinedOffSession,
        actionType: payment?.nextActionType ?? null,
        clientSecret: payment && open(payment.status) && r.status !== 'cancelled' ? payment.clientSecret : null,
        clientSecretType: payment ? 'payment_intent' : null,
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
    // A vehicle's intent still waiting for the customer (an off-session authorisation or
    // renewal they were asked to complete) must never be completed once the booking is gone.
    const vehicle = r.status === 'confirmed' && (await this.vehicles.terms(r.id)) !== null;
    if (r.status === 'pending' || r.status === 'payment_failed' || vehicle) {
      try {
        await this.payments.cancelOpenIntents(reservationId);
      } catch (error) {
        throw toAppError(error);
      }
    }
    // Written claimed: this call sends them itself after the commit (refunds.service.ts).
    const own: OwnClaims = { refundIds: [], releaseIds: [] };
    let fee: CancellationFee | null = null;
    await this.txHost.run(async () => {
      own.refundIds = [];
      own.releaseIds = [];
      fee = null;
      const locked = await this.lock(user, reservationId);
      if (locked.status === 'pending' || locked.status === 'payment_failed') {
        await this.reservations.releaseAndSetStatus(locked.id, 'cancelled', 'USER_CANCELLED');
        return;
      }
      if (locked.status !== 'confirmed') throw invalidStatus(locked.status, 'cancelled');
      const payment = await this.payments.latestFor(locked.id);
      const refundable = await this.withinRefundWindow(locked.id);
      const terms = await this.vehicles.terms(locked.id);
      // The open authorisation (a vehicle's: a renewal attempt declined since may be newer than it).
      const held =
        payment?.status === 'requires_capture' ? payment : terms ? await this.vehicles.openAuthorisation(locked.id) : null;
      const feeDue = this.vehicles.fee(terms, held?.amount);
      if (held && feeDue > 0) {
        // A vehicle cancelled inside its policy's window: the fee is captured from the
        // authorisation (after the commit), the rest of it released by the provider.
        fee = { from: 'authorisation', paymentId: held.paymentId, fee: feeDue };
      } else if (terms && feeDue > 0 && !(await this.payments.hasMoneyMoving(locked.id))) {
        // Booked ahead and cancelled before its authorisation: nothing to release; the fee
        // is charged off-session to the card its SetupIntent saved (after the commit).
        fee = { from: 'card', userId: locked.userId, currency: locked.currency.trim(), fee: feeDue };
      } else if (held) {
        await this.refunds.queueCancel(held.paymentId, true);
        own.releaseIds!.push(held.paymentId);
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
    if (fee) await this.vehicles.takeFee(reservationId, fee);
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
    const [offerings, slots] = await this.txHost.all([
      () => this.catalog.getOfferings(items.map((i) => i.offeringId)),
      () => this.inventory.getSlots(items.flatMap((i) => (i.timeSlotId ? [i.timeSlotId] : []))),
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
