var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../libs/errors/src/index.js';
import { Idempotent, IdempotencyKey } from '../../libs/idempotency/src/index.js';
import { CurrentUser } from '../auth/auth.decorators.js';
import { RateLimit } from '../protection/rate-limit.decorators.js';
import { CheckoutService } from './checkout.service.js';
import { ConfirmReservationDto, ConfirmResponseDto, ConvertHoldDto, ConvertResponseDto, PaymentStatusResponseDto, } from './dto/checkout.dto.js';
import { HoldRequestDto, HoldResponseDto } from './dto/hold.dto.js';
import { ListReservationsQueryDto, ReservationDto, ReservationListDto } from './dto/reservation.dto.js';
import { ReservationQueries } from './reservation-queries.js';
import { ReservationsService } from './reservations.service.js';
let ReservationsController = class ReservationsController {
    constructor(reservations, queries, checkout) {
        this.reservations = reservations;
        this.queries = queries;
        this.checkout = checkout;
    }
    hold(user, body, keyed) {
        return this.reservations.hold(user, body, keyed);
    }
    convert(user, body) {
        return this.checkout.convert(user, body);
    }
    confirm(user, body) {
        return this.checkout.confirm(user, body);
    }
    paymentStatus(user, id) {
        return this.checkout.paymentStatus(user, id);
    }
    list(user, query) {
        return this.queries.list(user, query);
    }
    get(user, id) {
        return this.queries.get(user, id);
    }
    async cancel(user, id) {
        await this.checkout.cancel(user, id);
        return this.queries.get(user, id);
    }
};
__decorate([
    Post('hold'),
    RateLimit('hold'),
    HttpCode(200),
    Idempotent({ required: true, mode: 'handler' }),
    ApiOperation({
        summary: 'Hold places, stock or a rental unit for 15 minutes',
        description: 'Seed form `{experienceId, timeSlotId, numberOfGuests, guest...}` or general form `{items: [...], guest...}`. ' +
            'Prices the hold (group and early-bird discounts, each on the original price) and takes the inventory, all or nothing.',
    }),
    ApiOkResponse({ type: HoldResponseDto }),
    ApiErrors('VALIDATION_FAILED', 'TIME_SLOT_NOT_FOUND', 'TIME_SLOT_NOT_AVAILABLE', 'NOT_ENOUGH_CAPACITY', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS'),
    __param(0, CurrentUser()),
    __param(1, Body()),
    __param(2, IdempotencyKey()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, HoldRequestDto, Object]),
    __metadata("design:returntype", Promise)
], ReservationsController.prototype, "hold", null);
__decorate([
    Post('hold/convert'),
    RateLimit('hold'),
    HttpCode(200),
    Idempotent({ required: true, mode: 'stepwise' }),
    ApiOperation({
        summary: 'Convert a hold into a payment: returns the PaymentIntent client secret',
        description: 'Creates (or reuses) a PaymentIntent for the total; the reservation becomes pending. With `paymentMethodId` (a saved ' +
            'card) the payment is confirmed server-side and 3-D Secure shows as `requiresAction: true`. After a decline, convert ' +
            'the same hold again (a new intent); the original hold timer still applies. Rentals are authorised now and captured on return.',
    }),
    ApiOkResponse({ type: ConvertResponseDto }),
    ApiErrors('VALIDATION_FAILED', 'RESERVATION_NOT_FOUND', 'HOLD_EXPIRED', 'INVALID_HOLD_STATUS', 'PAYMENT_METHOD_NOT_FOUND', 'PAYMENT_CARD_DECLINED', 'PAYMENT_PROCESSING_FAILED', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS'),
    __param(0, CurrentUser()),
    __param(1, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, ConvertHoldDto]),
    __metadata("design:returntype", Promise)
], ReservationsController.prototype, "convert", null);
__decorate([
    Post('confirm'),
    HttpCode(200),
    Idempotent({ required: false, mode: 'stepwise' }),
    ApiOperation({
        summary: 'Confirm a reservation after the payment succeeded (same code path as the webhook)',
        description: 'Idempotent: whichever of this call and the payment_intent.succeeded webhook comes second changes nothing.',
    }),
    ApiOkResponse({ type: ConfirmResponseDto }),
    ApiErrors('VALIDATION_FAILED', 'RESERVATION_NOT_FOUND', 'PAYMENT_NOT_COMPLETED', 'HOLD_EXPIRED', 'PAYMENT_PROCESSING_FAILED'),
    __param(0, CurrentUser()),
    __param(1, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, ConfirmReservationDto]),
    __metadata("design:returntype", Promise)
], ReservationsController.prototype, "confirm", null);
__decorate([
    Get(':id/payment-status'),
    ApiOperation({ summary: "The reservation's payment, refreshed from the provider (poll after 3-D Secure)" }),
    ApiOkResponse({ type: PaymentStatusResponseDto }),
    ApiErrors('RESERVATION_NOT_FOUND'),
    __param(0, CurrentUser()),
    __param(1, Param('id')),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String]),
    __metadata("design:returntype", Promise)
], ReservationsController.prototype, "paymentStatus", null);
__decorate([
    Get(),
    ApiOperation({ summary: "List the user's reservations (admins: everyone's), newest first" }),
    ApiOkResponse({ type: ReservationListDto }),
    ApiErrors('VALIDATION_FAILED'),
    __param(0, CurrentUser()),
    __param(1, Query()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, ListReservationsQueryDto]),
    __metadata("design:returntype", Promise)
], ReservationsController.prototype, "list", null);
__decorate([
    Get(':id'),
    ApiOperation({ summary: 'One reservation, with its items, offering and time slot' }),
    ApiOkResponse({ type: ReservationDto }),
    ApiErrors('RESERVATION_NOT_FOUND'),
    __param(0, CurrentUser()),
    __param(1, Param('id')),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String]),
    __metadata("design:returntype", Promise)
], ReservationsController.prototype, "get", null);
__decorate([
    Post(':id/cancel'),
    HttpCode(200),
    Idempotent({ required: false, mode: 'stepwise' }),
    ApiOperation({
        summary: 'Cancel a reservation: a hold, one being paid, or a confirmed one (refunded by the cancellation policy)',
    }),
    ApiOkResponse({ type: ReservationDto }),
    ApiErrors('RESERVATION_NOT_FOUND', 'HOLD_EXPIRED', 'INVALID_HOLD_STATUS', 'PAYMENT_PROCESSING_FAILED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS'),
    __param(0, CurrentUser()),
    __param(1, Param('id')),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String]),
    __metadata("design:returntype", Promise)
], ReservationsController.prototype, "cancel", null);
ReservationsController = __decorate([
    ApiTags('reservations'),
    Controller('reservations'),
    __metadata("design:paramtypes", [ReservationsService,
        ReservationQueries,
        CheckoutService])
], ReservationsController);
export { ReservationsController };
//# sourceMappingURL=reservations.controller.js.map