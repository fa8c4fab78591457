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
import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { TransactionHost } from '../../libs/database/src/index.js';
import { AppError, ApiErrors } from '../../libs/errors/src/index.js';
import { Idempotent } from '../../libs/idempotency/src/index.js';
import { Roles } from '../auth/auth.decorators.js';
import { CreateRefundDto, RefundDto, StuckPaymentListDto } from './dto/refund.dto.js';
import { PaymentsService } from './payments.service.js';
import { RefundsService } from './refunds.service.js';
let AdminPaymentsController = class AdminPaymentsController {
    constructor(txHost, refunds, payments) {
        this.txHost = txHost;
        this.refunds = refunds;
        this.payments = payments;
    }
    async stuck() {
        const payments = await this.payments.listStuck();
        return {
            payments: payments.map((p) => ({
                paymentId: p.paymentId,
                reservationId: p.reservationId,
                intentId: p.intentId,
                status: p.status,
                amount: p.amount,
                currency: p.currency,
                failureCode: p.failureCode,
            })),
        };
    }
    async refund(paymentId, body) {
        const refund = await this.txHost.run(() => this.refunds.requestRefund(paymentId, { amount: body.amount, reason: body.reason, source: 'admin' }));
        await this.refunds.flushPending();
        return this.refunds.get(refund.refundId);
    }
};
__decorate([
    Get('stuck'),
    ApiOperation({
        summary: 'Payments that reconciliation could not repair',
        description: 'Attempts the provider no longer knows or refuses to re-create (e.g. an intent never recorded whose ' +
            'idempotency key expired). They are never dropped silently: resolve them by hand in the provider dashboard.',
    }),
    ApiOkResponse({ type: StuckPaymentListDto }),
    ApiErrors('FORBIDDEN'),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", []),
    __metadata("design:returntype", Promise)
], AdminPaymentsController.prototype, "stuck", null);
__decorate([
    Post(':paymentId/refunds'),
    Idempotent({ required: false, mode: 'stepwise' }),
    ApiOperation({
        summary: 'Refund a payment, in full or in part',
        description: 'The amount is checked under a row lock against what was captured minus refunds already made or pending, ' +
            'then the refund is written before the provider is called (idempotency key refund:{refundId}).',
    }),
    ApiCreatedResponse({ type: RefundDto }),
    ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'REFUND_EXCEEDS_PAYMENT', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS'),
    __param(0, Param('paymentId', new ParseUUIDPipe({ exceptionFactory: () => new AppError('NOT_FOUND', 'Payment not found') }))),
    __param(1, Body()),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [String, CreateRefundDto]),
    __metadata("design:returntype", Promise)
], AdminPaymentsController.prototype, "refund", null);
AdminPaymentsController = __decorate([
    ApiTags('admin'),
    Roles('admin'),
    Controller('admin/payments'),
    __metadata("design:paramtypes", [TransactionHost,
        RefundsService,
        PaymentsService])
], AdminPaymentsController);
export { AdminPaymentsController };
//# sourceMappingURL=admin-payments.controller.js.map