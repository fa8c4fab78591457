import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AppError, ApiErrors } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { CreateRefundDto, RefundDto, StuckPaymentListDto } from './dto/refund.dto';
import { PaymentsService } from './payments.service';
import { RefundsService } from './refunds.service';

@ApiTags('admin')
@Roles('admin')
@Controller('admin/payments')
export class AdminPaymentsController {
  constructor(
    private readonly refunds: RefundsService,
    private readonly payments: PaymentsService,
  ) {}

  @Get('stuck')
  @ApiOperation({
    summary: 'Payments that need a person',
    description:
      'Payments that cannot be settled automatically, each with its `reason`: attempts the provider no longer knows ' +
      'or refuses to re-create (e.g. an intent never recorded whose idempotency key expired), refunds the provider ' +
      'refused for good (already refunded, amount above what is left), and provider reports whose amount or currency ' +
      'differ from the payment (nothing was confirmed or recorded for them). They are never dropped silently: resolve ' +
      'them by hand in the provider dashboard.',
  })
  @ApiOkResponse({ type: StuckPaymentListDto })
  @ApiErrors('FORBIDDEN')
  async stuck(): Promise<StuckPaymentListDto> {
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
        captured: p.captured,
        refunded: p.refunded,
        reason: p.stuckReason,
      })),
    };
  }

  @Post(':paymentId/refunds')
  @Idempotent({ required: false, mode: 'stepwise' })
  @ApiOperation({
    summary: 'Refund a payment, in full or in part',
    description:
      'The amount is checked under a row lock against what was captured minus refunds already made or pending, ' +
      'then the refund is written before the provider is called (idempotency key refund:{refundId}).',
  })
  @ApiCreatedResponse({ type: RefundDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'REFUND_EXCEEDS_PAYMENT', 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_KEY_IN_PROGRESS')
  async refund(
    @Param('paymentId', new ParseUUIDPipe({ exceptionFactory: () => new AppError('NOT_FOUND', 'Payment not found') }))
    paymentId: string,
    @Body() body: CreateRefundDto,
    @CurrentUser() admin: AuthUser,
  ): Promise<RefundDto> {
    const refund = await this.refunds.requestAdminRefund(paymentId, { amount: body.amount, reason: body.reason }, admin.sub);
    // Claimed when written: this request sends it, so it answers with the provider's outcome.
    await this.refunds.flushPending({ refundIds: [refund.refundId] });
    return this.refunds.get(refund.refundId);
  }
}
