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
import { Body, Controller, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AppError } from '../../libs/errors/src/index.js';
import { CurrentUser } from '../auth/auth.decorators.js';
import { DevAuthenticatePaymentDto, DevConfirmPaymentDto, DevPaymentResultDto } from './dto/dev-payments.dto.js';
import { PAYMENT_GATEWAY, PaymentGatewayError } from './payment-gateway.js';
import { toAppError } from './payments.errors.js';
import { PaymentsService } from './payments.service.js';
import { SimulatedGateway } from './simulated.gateway.js';
const INTENT_PARAM = {
    name: 'paymentIntentId',
    example: 'pi_sim_Q2xk9T0aZr4bN8vLw1YpC3dE',
    description: 'From `POST /v1/reservations/hold/convert`.',
};
/**
 * Stands in for Stripe.js with the simulated provider, so the whole booking flow runs
 * from Swagger or curl: convert a hold, pay its PaymentIntent here with a test card,
 * answer 3-D Secure. Like Stripe.js these talk to the provider only; the provider's
 * signed webhook events then move the payment and the reservation on, through the same
 * code path as Stripe's. Registered only when PAYMENT_PROVIDER=simulated.
 */
let DevPaymentsController = class DevPaymentsController {
    constructor(gateway, payments) {
        this.gateway = gateway;
        this.payments = payments;
    }
    async confirm(user, paymentIntentId, body) {
        const simulated = await this.ownIntent(user, paymentIntentId);
        return this.answer(() => simulated.confirmAsClient(paymentIntentId, body.paymentMethod));
    }
    async authenticate(user, paymentIntentId, body) {
        const simulated = await this.ownIntent(user, paymentIntentId);
        return this.answer(() => simulated.authenticate(paymentIntentId, body.result));
    }
    /** The caller's own intent, known to the simulated provider; anything else is 404, whoever's it is. */
    async ownIntent(user, intentId) {
        const payment = await this.payments.findByIntentId(intentId);
        if (!payment || payment.userId !== user.sub)
            throw new AppError('NOT_FOUND', 'Payment not found');
        if (!(this.gateway instanceof SimulatedGateway))
            throw new AppError('NOT_FOUND', 'The simulated payment provider is not in use');
        try {
            await this.gateway.retrieveIntent(intentId);
        }
        catch {
            // Its objects live in memory: a restart forgets them.
            throw new AppError('NOT_FOUND', 'The simulated provider does not know this PaymentIntent (it forgets them when the server restarts)');
        }
        return this.gateway;
    }
    async answer(step) {
        try {
            const intent = await step();
            return { paymentIntentId: intent.id, status: intent.status, nextAction: intent.nextActionType };
        }
        catch (error) {
            throw devError(error);
        }
    }
};
__decorate([
    Post(':paymentIntentId/confirm'),
    HttpCode(200),
    ApiOperation({
        summary: 'Pay a PaymentIntent with a test card, as Stripe.js would (simulated provider only)',
        description: 'Confirms your PaymentIntent with a Stripe test PaymentMethod id or test card number. Success answers `succeeded` ' +
            '(`requires_capture` for a rental authorisation); a 3-D Secure card answers `requires_action` with `nextAction: ' +
            '"use_stripe_sdk"` (then call `/authenticate`); a declined card answers 400 PAYMENT_CARD_DECLINED. The reservation is ' +
            'confirmed by the webhook event that follows, or by `POST /v1/reservations/confirm`.',
    }),
    ApiParam(INTENT_PARAM),
    ApiOkResponse({ type: DevPaymentResultDto }),
    ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'PAYMENT_METHOD_NOT_FOUND', 'PAYMENT_CARD_DECLINED', 'PAYMENT_PROCESSING_FAILED'),
    __param(0, CurrentUser()),
    __param(1, Param('paymentIntentId')),
    __param(2, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String, DevConfirmPaymentDto]),
    __metadata("design:returntype", Promise)
], DevPaymentsController.prototype, "confirm", null);
__decorate([
    Post(':paymentIntentId/authenticate'),
    HttpCode(200),
    ApiOperation({
        summary: 'Complete or fail 3-D Secure for a PaymentIntent (simulated provider only)',
        description: 'Answers the 3-D Secure challenge of a PaymentIntent in `requires_action`: `success` completes the payment, ' +
            '`failure` fails it (400 PAYMENT_CARD_DECLINED; convert the hold again or confirm with another card).',
    }),
    ApiParam(INTENT_PARAM),
    ApiOkResponse({ type: DevPaymentResultDto }),
    ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'PAYMENT_CARD_DECLINED'),
    __param(0, CurrentUser()),
    __param(1, Param('paymentIntentId')),
    __param(2, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String, DevAuthenticatePaymentDto]),
    __metadata("design:returntype", Promise)
], DevPaymentsController.prototype, "authenticate", null);
DevPaymentsController = __decorate([
    ApiTags('dev'),
    Controller('dev/payments'),
    __param(0, Inject(PAYMENT_GATEWAY)),
    __metadata("design:paramtypes", [Object, PaymentsService])
], DevPaymentsController);
export { DevPaymentsController };
function devError(error) {
    if (!(error instanceof PaymentGatewayError))
        return toAppError(error);
    if (error.providerCode === 'payment_intent_authentication_failure') {
        return new AppError('PAYMENT_CARD_DECLINED', 'The card could not be authenticated (3-D Secure failed)');
    }
    if (error.kind !== 'invalid_request')
        return toAppError(error);
    if (error.providerCode === 'resource_missing')
        return new AppError('PAYMENT_METHOD_NOT_FOUND', error.message);
    // A wrong card number, a spent or someone else's card, a step the intent's status does not allow.
    return new AppError('VALIDATION_FAILED', error.message);
}
//# sourceMappingURL=dev-payments.controller.js.map