import { Body, Controller, Delete, Get, HttpCode, Param, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Idempotent } from '@holdfast/idempotency';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/auth.decorators';
import {
  AddPaymentMethodDto,
  PaymentMethodListResponseDto,
  PaymentMethodMessageDto,
  PaymentMethodResponseDto,
} from './dto/payment-method.dto';
import { PaymentMethodsService } from './payment-methods.service';

const METHOD_ID = { name: 'id', format: 'uuid', description: 'Our id of the saved card (from GET /v1/payments/methods).' };

/** Seed 004's saved cards: the signed-in user's own, nobody else's. */
@ApiTags('payments')
@Controller('payments/methods')
export class PaymentMethodsController {
  constructor(private readonly methods: PaymentMethodsService) {}

  @Get()
  @ApiOperation({ summary: "List the user's saved cards", description: 'The default card first, then newest first.' })
  @ApiOkResponse({ type: PaymentMethodListResponseDto })
  async list(@CurrentUser() user: AuthUser): Promise<PaymentMethodListResponseDto> {
    return { success: true, data: await this.methods.list(user) };
  }

  @Post()
  @HttpCode(200)
  @Idempotent({ required: false, mode: 'stepwise' })
  @ApiOperation({
    summary: 'Save a card created with Stripe.js',
    description:
      'Attaches the PaymentMethod to the user’s payment customer (created on first need) and saves it. The first card ' +
      'becomes the default. Saving the same PaymentMethod again returns the card already saved. A PaymentMethod the ' +
      'provider does not know or refuses to attach is 400 VALIDATION_FAILED on `paymentMethodId`.',
  })
  @ApiOkResponse({ type: PaymentMethodResponseDto })
  @ApiErrors(
    'VALIDATION_FAILED',
    'PAYMENT_CARD_DECLINED',
    'PAYMENT_PROCESSING_FAILED',
    'IDEMPOTENCY_KEY_REUSED',
    'IDEMPOTENCY_KEY_IN_PROGRESS',
  )
  async add(@CurrentUser() user: AuthUser, @Body() body: AddPaymentMethodDto): Promise<PaymentMethodResponseDto> {
    return { success: true, data: await this.methods.add(user, body) };
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Remove a saved card',
    description:
      'Detaches it at the provider. When it was the default, the most recently added remaining card becomes the default.',
  })
  @ApiParam(METHOD_ID)
  @ApiOkResponse({ type: PaymentMethodMessageDto })
  @ApiErrors('PAYMENT_METHOD_NOT_FOUND', 'PAYMENT_PROCESSING_FAILED')
  async remove(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<PaymentMethodMessageDto> {
    await this.methods.remove(user, id);
    return { success: true, message: 'Payment method removed successfully' };
  }

  @Put(':id/default')
  @ApiOperation({ summary: 'Make a saved card the default' })
  @ApiParam(METHOD_ID)
  @ApiOkResponse({ type: PaymentMethodMessageDto })
  @ApiErrors('PAYMENT_METHOD_NOT_FOUND', 'PAYMENT_PROCESSING_FAILED')
  async setDefault(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<PaymentMethodMessageDto> {
    await this.methods.setDefault(user, id);
    return { success: true, message: 'Default payment method updated successfully' };
  }
}
