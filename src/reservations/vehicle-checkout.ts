import { Injectable, Logger } from '@nestjs/common';
import { Clock } from '@holdfast/clock';
import { CatalogService } from '../catalog/catalog.service';
import type { RentalPolicy } from '../catalog/catalog.types';
import { rentalPeriod } from '../catalog/rental-policy';
import { OffSessionChargesService } from '../payments/off-session-charges.service';
import { PaymentsService, type PaymentView } from '../payments/payments.service';
import { SupportService } from '../support/support.service';
import { ReservationsConfig } from './reservations.config';
import { ReservationsRepository } from './reservations.repository';

const DAY_MS = 86_400_000;

/** A vehicle booking's terms: its offering's policy and its pickup time. */
export interface VehicleTerms {
  policy: RentalPolicy;
  pickupAt: Date;
}

/** A cancellation fee to take after the commit: from the authorisation, or off-session from the set-up card. */
export type CancellationFee =
  { from: 'authorisation'; paymentId: string; fee: number } | { from: 'card'; userId: string; currency: string; fee: number };

/**
 * What checkout does differently for a vehicle (DESIGN.md section 12, "Money"): whether
 * convert authorises now (pickup within RENTAL_AUTH_LEAD_DAYS) or sets the card up for
 * an authorisation scheduled later, and the cancellation fee inside the policy's window,
 * taken from the authorisation or, before there is one, charged off-session to the card.
 */
@Injectable()
export class VehicleCheckout {
  private readonly logger = new Logger('VehicleCheckout');

  constructor(
    private readonly repo: ReservationsRepository,
    private readonly catalog: CatalogService,
    private readonly payments: PaymentsService,
    private readonly charges: OffSessionChargesService,
    private readonly support: SupportService,
    private readonly config: ReservationsConfig,
    private readonly clock: Clock,
  ) {}

  /** A vehicle booking's terms, or null when it books no vehicle. */
  async terms(reservationId: string): Promise<VehicleTerms | null> {
    const items = await this.repo.itemsOf([reservationId]);
    const offerings = await this.catalog.getOfferings(items.map((i) => i.offeringId));
    const item = items.find((i) => offerings.get(i.offeringId)?.vehicle && i.startDate && i.endDate);
    const policy = item && offerings.get(item.offeringId)!.rentalPolicy;
    if (!item || !policy) return null;
    return { policy, pickupAt: rentalPeriod(item.startDate!, item.endDate!, policy).pickupAt };
  }

  /**
   * True when the pickup is further away than RENTAL_AUTH_LEAD_DAYS: convert sets the card
   * up (a SetupIntent) and the rentals module authorises off-session that many days before
   * pickup, so no authorisation has to outlive the wait (they lapse in 5 to 7 days).
   */
  scheduled(terms: VehicleTerms): boolean {
    return terms.pickupAt.getTime() - this.clock.nowMs() > this.config.rentalAuthLeadDays * DAY_MS;
  }

  /** The booking's newest open authorisation (booking or renewal), or null. */
  async openAuthorisation(reservationId: string): Promise<PaymentView | null> {
    const open = (await this.payments.allFor(reservationId)).filter(
      (p) => p.purpose !== 'fine' && p.status === 'requires_capture',
    );
    return open.at(-1) ?? null;
  }

  /** The policy's cancellation fee when cancelled less than its free-cancellation hours before pickup (0 otherwise), at most `cap`. */
  fee(terms: VehicleTerms | null, cap = Number.MAX_SAFE_INTEGER): number {
    if (!terms) return 0;
    const freeUntil = terms.pickupAt.getTime() - terms.policy.freeCancellationHours * 3_600_000;
    return this.clock.nowMs() < freeUntil ? 0 : Math.min(terms.policy.cancellationFee, cap);
  }

  /**
   * Takes a cancellation fee after the commit: captured from the authorisation (the rest
   * of it released by the provider), or, for a booking cancelled before its scheduled
   * authorisation, charged off-session to the card its SetupIntent saved (`purpose: fine`,
   * described as the cancellation fee: DESIGN.md's purposes have no other word for money
   * owed on a rental beside its price). A failure is left to a person (a support case).
   */
  async takeFee(reservationId: string, fee: CancellationFee): Promise<void> {
    try {
      if (fee.from === 'authorisation') {
        await this.payments.capture(fee.paymentId, fee.fee);
        return;
      }
      const charged = await this.charges.charge({
        reservationId,
        userId: fee.userId,
        amount: fee.fee,
        currency: fee.currency,
        purpose: 'fine',
        cardOf: null,
        description: `Holdfast reservation ${reservationId}: cancellation fee`,
      });
      if (charged.status !== 'succeeded') throw new Error(`the off-session charge is ${charged.status} (${charged.failureCode})`);
    } catch (error) {
      this.logger.error({ err: error, reservationId, fee: fee.fee, from: fee.from }, 'could not take a cancellation fee');
      await this.support.open('rental_cancellation_fee_failed', reservationId, {
        fee: fee.fee,
        ...(fee.from === 'authorisation' ? { paymentId: fee.paymentId } : { from: 'card' }),
      });
    }
  }
}
