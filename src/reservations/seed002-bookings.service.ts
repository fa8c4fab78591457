import { Injectable } from '@nestjs/common';
import { AppError } from '@holdfast/errors';
import { IdempotencyService, type IdempotentRequest, stepRequest } from '@holdfast/idempotency';
import type { AuthUser } from '../auth/auth-user';
import { CatalogService } from '../catalog/catalog.service';
import { PaymentMethodsService } from '../payments/payment-methods.service';
import { CheckoutService } from './checkout.service';
import type { ConvertHoldDto, ConvertResponseDto } from './dto/checkout.dto';
import type { HoldRequestDto, HoldResponseDto } from './dto/hold.dto';
import type { Seed002ReservationRequestDto, Seed002ReservationResponseDto } from './dto/seed002.dto';
import { invalid } from './hold-lines';
import { ReservationsRepository } from './reservations.repository';
import { ReservationsService } from './reservations.service';

/**
 * Seed 002's `POST /api/reservations` (DESIGN.md section 12): a vehicle hold and its
 * convert with a saved card in one call, through the same ReservationsService.hold and
 * CheckoutService.convert as `/v1`. A declined card keeps the hold, and the same call
 * with another card (and a new key) pays on it again, as seed 004's recovery does.
 *
 * Idempotency, in three rows under the call's key: the call's own (stepwise: its final
 * answer replays), and one for each step (`stepRequest`: `#hold` and `#convert`), so a
 * retry of the call after a crash or a lost answer replays the steps that completed (the
 * same hold, the same payment answer) and resumes at the first that did not.
 */
@Injectable()
export class Seed002Bookings {
  constructor(
    private readonly reservations: ReservationsService,
    private readonly checkout: CheckoutService,
    private readonly repo: ReservationsRepository,
    private readonly catalog: CatalogService,
    private readonly methods: PaymentMethodsService,
    private readonly idempotency: IdempotencyService,
  ) {}

  /**
   * Holds the vehicle (or finds this user's live booking of it for these dates that a
   * payment may still be tried on) and converts it with the saved card. Errors are the
   * hold's and convert's; 400 VALIDATION_FAILED for an offering that is not a vehicle,
   * 404 PAYMENT_METHOD_NOT_FOUND for a card that is not the user's (nothing held).
   */
  async book(
    user: AuthUser,
    dto: Seed002ReservationRequestDto,
    keyed: IdempotentRequest,
  ): Promise<Seed002ReservationResponseDto> {
    return (await this.idempotency.stepwise(keyed, () => this.holdAndConvert(user, dto, keyed))) as Seed002ReservationResponseDto;
  }

  private async holdAndConvert(
    user: AuthUser,
    dto: Seed002ReservationRequestDto,
    keyed: IdempotentRequest,
  ): Promise<Seed002ReservationResponseDto> {
    const offering = await this.catalog.getOffering(dto.offeringId);
    if (!offering) throw new AppError('NOT_FOUND', 'Offering not found');
    if (offering.kind !== 'rental' || !offering.vehicle) {
      throw invalid('offeringId', 'this route books vehicles only; hold anything else with POST /v1/reservations/hold');
    }
    // The card before the vehicle: a card that is not the user's takes no unit for 15 minutes.
    await this.methods.resolveForPayment(user.sub, dto.paymentMethodId);

    const holdId =
      (await this.repo.findPayableRental(user.sub, dto.offeringId, dto.startDate, dto.endDate)) ??
      (await this.hold(user, dto, keyed));
    const convert: ConvertHoldDto = { holdId, paymentMethodId: dto.paymentMethodId };
    const converted = (await this.idempotency.stepwise(stepRequest(keyed, 'convert', convert), () =>
      this.checkout.convert(user, convert),
    )) as ConvertResponseDto;

    const held = await this.repo.findRecord(holdId);
    if (!held) throw new Error(`reservation ${holdId} vanished after its convert`);
    return {
      reservation: {
        id: holdId,
        status: converted.reservation.status,
        holdExpiresAt: held.holdExpiresAt.toISOString(),
        totalPrice: held.totalCents,
        currency: held.currency.trim(),
        paymentStatus: converted.reservation.paymentStatus,
        paymentIntentId: converted.reservation.paymentIntentId,
      },
      paymentClientSecret: converted.paymentClientSecret,
      requiresAction: converted.requiresAction,
      clientSecretType: converted.clientSecretType,
    };
  }

  /** A new hold of the vehicle, under the call's `#hold` step key (a retry replays it: the same reservation). */
  private async hold(user: AuthUser, dto: Seed002ReservationRequestDto, keyed: IdempotentRequest): Promise<string> {
    const request: HoldRequestDto = {
      items: [{ offeringId: dto.offeringId, startDate: dto.startDate, endDate: dto.endDate }],
      guestName: dto.guestName,
      guestEmail: dto.guestEmail,
      ...(dto.guestPhone === undefined ? {} : { guestPhone: dto.guestPhone }),
    };
    const held: HoldResponseDto = await this.reservations.hold(user, request, stepRequest(keyed, 'hold', request));
    return held.reservation.id;
  }
}
