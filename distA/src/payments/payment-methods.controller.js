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
import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../libs/errors/src/index.js';
import { Idempotent } from '../../libs/idempotency/src/index.js';
import { CurrentUser } from '../auth/auth.decorators.js';
import { AddPaymentMethodDto, PaymentMethodListResponseDto, PaymentMethodMessageDto, PaymentMethodResponseDto, } from './dto/payment-method.dto.js';
import { PaymentMethodsService } from './payment-methods.service.js';
const METHOD_ID = { name: 'id', format: 'uuid', description: 'Our id of the saved card (from GET /v1/payments/methods).' };
/** Seed 004's saved cards: the signed-in user's own, nobody else's. */
let PaymentMethodsController = class PaymentMethodsController {
    constructor(methods) {
        this.methods = methods;
    }
    async list(user) {
        return { success: true, data: await this.methods.list(user) };
    }
    async add(user, body) {
        return { success: true, data: await this.methods.add(user, body) };
    }
    async remove(user, id) {
        await this.methods.remove(user, id);
        return { success: true, message: 'Payment method removed successfully' };
    }
    async setDefault(user, id) {
        await this.methods.setDefault(user, id);
        return { success: true, message: 'Default payment method updated successfully' };
    }
};
__decorate([
    Get(),
    ApiOperation({ summary: "List the user's saved cards", description: 'The default card first, then newest first.' }),
    ApiOkResponse({ type: PaymentMethodListResponseDto }),
    __param(0, CurrentUser()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object]),
    __metadata("design:returntype", Promise)
], PaymentMethodsController.prototype, "list", null);
__decorate([
    Post(),
    HttpCode(200),
    Idempotent({ required: false, mode: 'stepwise' }),
    ApiOperation({
        summary: 'Save a card created with Stripe.js',
        description: 'Attaches the PaymentMethod to the user’s payment customer (created on first need) and saves it. The first card ' +
            'becomes the default. Saving the same PaymentMethod again returns the card already saved. A PaymentMethod the ' +
            'provider does not know or refuses to attach is 400 VALIDATION_FAILED on `paymentMethodId`.',
    }),
    ApiOkResponse({ type: PaymentMethodResponseDto }),
    ApiErrors('VALIDATION_FAILED', 'PAYMENT_CARD_DECLINED', 'PAYMENT_PROCESSING_FAILED', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS'),
    __param(0, CurrentUser()),
    __param(1, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, AddPaymentMethodDto]),
    __metadata("design:returntype", Promise)
], PaymentMethodsController.prototype, "add", null);
__decorate([
    Delete(':id'),
    ApiOperation({
        summary: 'Remove a saved card',
        description: 'Detaches it at the provider. When it was the default, the most recently added remaining card becomes the default.',
    }),
    ApiParam(METHOD_ID),
    ApiOkResponse({ type: PaymentMethodMessageDto }),
    ApiErrors('PAYMENT_METHOD_NOT_FOUND', 'PAYMENT_PROCESSING_FAILED'),
    __param(0, CurrentUser()),
    __param(1, Param('id')),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String]),
    __metadata("design:returntype", Promise)
], PaymentMethodsController.prototype, "remove", null);
__decorate([
    Put(':id/default'),
    ApiOperation({ summary: 'Make a saved card the default' }),
    ApiParam(METHOD_ID),
    ApiOkResponse({ type: PaymentMethodMessageDto }),
    ApiErrors('PAYMENT_METHOD_NOT_FOUND', 'PAYMENT_PROCESSING_FAILED'),
    __param(0, CurrentUser()),
    __param(1, Param('id')),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String]),
    __metadata("design:returntype", Promise)
], PaymentMethodsController.prototype, "setDefault", null);
PaymentMethodsController = __decorate([
    ApiTags('payments'),
    Controller('payments/methods'),
    __metadata("design:paramtypes", [PaymentMethodsService])
], PaymentMethodsController);
export { PaymentMethodsController };
//# sourceMappingURL=payment-methods.controller.js.map