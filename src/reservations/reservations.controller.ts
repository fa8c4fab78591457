import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Idempotent, IdempotencyKey, type IdempotentRequest } from '@holdfast/idempotency';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/auth.decorators';
import { RateLimit } from '../protection/rate-limit.decorators';
import { CheckoutService } from './checkout.service';
import {
  ConfirmReservationDto,
  ConfirmResponseDto,
  ConvertHoldDto,
  ConvertResponseDto,
  PaymentStatusResponseDto,
} from './dto/checkout.dto';
import { HoldRequestDto, HoldResponseDto } from './dto/hold.dto';
import { ListReservationsQueryDto, ReservationDto, ReservationListDto } from './dto/reservation.dto';
import { ChooseShippingDto, ShippingRatesRequestDto, ShippingRatesResponseDto } from './dto/shipping.dto';
import { ReservationQueries } from './reservation-queries';
import { ReservationShipping } from './reservation-shipping';
import { type AtOnce, HOLD_TRIED_AT_ONCE, ReservationsService } from './reservations.service';

/** `GET /v1/reservations/{id}`'s summary, shared with seed 002's `GET /api/reservations/{id}`. */
export const GET_RESERVATION_DOC = { summary: 'One reservation, with its items, offering and time slot' };

@ApiTags('reservations')
@Controller('reservations')
export class ReservationsController {
  constructor(
    private readonly reservations: ReservationsService,
    private readonly queries: ReservationQueries,
    private readonly checkout: CheckoutService,
    private readonly shipping: ReservationShipping,
  ) {}

  @Post('hold')
  @RateLimit('hold')
  @HttpCode(200)
  @Idempotent({ required: true, mode: 'handler' })
  @ApiOperation({
    summary: 'Hold places, stock or a rental unit for 15 minutes',
    description:
      'Seed form `{experienceId, timeSlotId, numberOfGuests, guest...}` or general form `{items: [...], guest...}`. ' +
      'Prices the hold (group and early-bird discounts, each on the original price) and takes the inventory, all or nothing.',
  })
  @ApiOkResponse({ type: HoldResponseDto })
  @ApiErrors(
    'VALIDATION_FAILED',
    'TIME_SLOT_NOT_FOUND',
    'TIME_SLOT_NOT_AVAILABLE',
    'NOT_ENOUGH_CAPACITY',
    'NOT_FOUND',
    'INVENTORY_UNAVAILABLE',
    'IDEMPOTENCY_KEY_REQUIRED',
    'IDEMPOTENCY_KEY_REUSED',
    'IDEMPOTENCY_KEY_IN_PROGRESS',
  )
  hold(
    @CurrentUser() user: AuthUser,
    @Body() body: HoldRequestDto,
    @IdempotencyKey() keyed: IdempotentRequest,
    @Req() req: { [HOLD_TRIED_AT_ONCE]?: AtOnce },
  ): Promise<HoldResponseDto> {
    return this.reservations.hold(user, body, keyed, req[HOLD_TRIED_AT_ONCE]);
  }

  @Post('hold/convert')
  @RateLimit('hold')
  @HttpCode(200)
  @Idempotent({ required: true, mode: 'stepwise' })
  @ApiOperation({
    summary: 'Convert a hold into a payment: returns the PaymentIntent client secret',
    description:
      'Creates (or reuses) a PaymentIntent for the total; the reservation becomes pending. With `paymentMethodId` (a saved ' +
      'card) the payment is confirmed server-side and 3-D Secure shows as `requiresAction: true`. After a decline, convert ' +
      'the same hold again (a new intent); the original hold timer still applies. Every kind is captured at confirmation ' +
      '(rentals that are not vehicles are paid like goods).',
  })
  @ApiOkResponse({ type: ConvertResponseDto })
  @ApiErrors(
    'VALIDATION_FAILED',
    'RESERVATION_NOT_FOUND',
    'HOLD_EXPIRED',
    'INVALID_HOLD_STATUS',
    'SHIPPING_REQUIRED',
    'PAYMENT_METHOD_NOT_FOUND',
    'PAYMENT_CARD_DECLINED',
    'PAYMENT_PROCESSING_FAILED',
    'IDEMPOTENCY_KEY_REQUIRED',
    'IDEMPOTENCY_KEY_REUSED',
    'IDEMPOTENCY_KEY_IN_PROGRESS',
  )
  convert(@CurrentUser() user: AuthUser, @Body() body: ConvertHoldDto): Promise<ConvertResponseDto> {
    return this.checkout.convert(user, body);
  }

  @Post('confirm')
  @HttpCode(200)
  @Idempotent({ required: false, mode: 'stepwise' })
  @ApiOperation({
    summary: 'Confirm a reservation after the payment succeeded (same code path as the webhook)',
    description: 'Idempotent: whichever of this call and the payment_intent.succeeded webhook comes second changes nothing.',
  })
  @ApiOkResponse({ type: ConfirmResponseDto })
  @ApiErrors('VALIDATION_FAILED', 'RESERVATION_NOT_FOUND', 'PAYMENT_NOT_COMPLETED', 'HOLD_EXPIRED', 'PAYMENT_PROCESSING_FAILED')
  confirm(@CurrentUser() user: AuthUser, @Body() body: ConfirmReservationDto): Promise<ConfirmResponseDto> {
    return this.checkout.confirm(user, body);
  }

  @Get(':id/payment-status')
  @ApiOperation({ summary: "The reservation's payment, refreshed from the provider (poll after 3-D Secure)" })
  @ApiOkResponse({ type: PaymentStatusResponseDto })
  @ApiErrors('RESERVATION_NOT_FOUND')
  paymentStatus(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<PaymentStatusResponseDto> {
    return this.checkout.paymentStatus(user, id);
  }

  @Get()
  @ApiOperation({ summary: "List the user's reservations (admins: everyone's), newest first" })
  @ApiOkResponse({ type: ReservationListDto })
  @ApiErrors('VALIDATION_FAILED')
  list(@CurrentUser() user: AuthUser, @Query() query: ListReservationsQueryDto): Promise<ReservationListDto> {
    return this.queries.list(user, query);
  }

  @Get(':id')
  @ApiOperation(GET_RESERVATION_DOC)
  @ApiOkResponse({ type: ReservationDto })
  @ApiErrors('RESERVATION_NOT_FOUND')
  get(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ReservationDto> {
    return this.queries.get(user, id);
  }

  @Post(':id/shipping-rates')
  @HttpCode(200)
  @RateLimit('hold')
  @ApiOperation({
    summary: 'Shipping rates for a hold with products (every enabled carrier, in parallel)',
    description:
      "Asks every enabled carrier at once, 3 s each, for the parcel (the products' weights times their quantities) to " +
      '`address`; answers the rates cheapest first. When no carrier answers in time, the configured flat rates with ' +
      '`fallback: true`. Each rate can be chosen with `PUT /v1/reservations/{id}/shipping` for 15 minutes.',
  })
  @ApiOkResponse({ type: ShippingRatesResponseDto })
  @ApiErrors('VALIDATION_FAILED', 'RESERVATION_NOT_FOUND', 'HOLD_EXPIRED', 'INVALID_HOLD_STATUS', 'SERVICE_UNAVAILABLE')
  shippingRates(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: ShippingRatesRequestDto,
  ): Promise<ShippingRatesResponseDto> {
    return this.shipping.rates(user, id, body.address);
  }

  @Put(':id/shipping')
  @ApiOperation({
    summary: 'Choose the shipping rate (and address) of a hold with products; prices the tax',
    description:
      'Stores the address and the rate (quoted for this reservation and this address, within 15 minutes), prices tax on ' +
      'the goods and the shipping, and answers the reservation with `totals {subtotal, discount, shipping, tax, total}` ' +
      'and `taxEstimated` (true when the tax service was down and the fallback rates applied). From then on ' +
      '`totalPrice` equals `totals.total`, which convert charges. Choose again to change it; after convert it is fixed ' +
      '(409 INVALID_HOLD_STATUS).',
  })
  @ApiOkResponse({ type: ReservationDto })
  @ApiErrors(
    'VALIDATION_FAILED',
    'RESERVATION_NOT_FOUND',
    'NOT_FOUND',
    'HOLD_EXPIRED',
    'INVALID_HOLD_STATUS',
    'SHIPPING_RATE_EXPIRED',
  )
  chooseShipping(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Body() body: ChooseShippingDto,
  ): Promise<ReservationDto> {
    return this.shipping.choose(user, id, body);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Idempotent({ required: false, mode: 'stepwise' })
  @ApiOperation({
    summary: 'Cancel a reservation: a hold, one being paid, or a confirmed one (refunded by the cancellation policy)',
  })
  @ApiOkResponse({ type: ReservationDto })
  @ApiErrors(
    'RESERVATION_NOT_FOUND',
    'HOLD_EXPIRED',
    'INVALID_HOLD_STATUS',
    'PAYMENT_PROCESSING_FAILED',
    'IDEMPOTENCY_KEY_REUSED',
    'IDEMPOTENCY_KEY_IN_PROGRESS',
  )
  async cancel(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<ReservationDto> {
    await this.checkout.cancel(user, id);
    return this.queries.get(user, id);
  }
}
