import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors, AppError } from '@holdfast/errors';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser } from '../auth/auth.decorators';
import { CustomersService } from './customers.service';
import { DevAuthenticatePaymentDto, DevConfirmPaymentDto, DevPaymentResultDto, DevSetupResultDto } from './dto/dev-payments.dto';
import { PaymentGatewayError, type IntentSnapshot, type SetupIntentSnapshot } from './payment-gateway';
import { toAppError } from './payments.errors';
import { PaymentsService } from './payments.service';
import { SimulatedClientService } from './simulated-client.service';

const INTENT_PARAM = {
  name: 'paymentIntentId',
  example: 'pi_sim_Q2xk9T0aZr4bN8vLw1YpC3dE',
  description: 'From `POST /v1/reservations/hold/convert`.',
};

const SETUP_INTENT_PARAM = {
  name: 'setupIntentId',
  example: 'seti_sim_Q2xk9T0aZr4bN8vLw1YpC3dE',
  description: 'A SetupIntent saving your card for later, off-session payments (a vehicle booked well ahead).',
};

/**
 * Stands in for Stripe.js with the simulated provider, so the whole booking flow runs
 * from Swagger or curl: convert a hold, pay its PaymentIntent (or save the card on its
 * SetupIntent) here with a test card, answer 3-D Secure. Like Stripe.js these talk to the provider only; the provider's
 * signed webhook events then move the payment and the reservation on, through the same
 * code path as Stripe's. Registered only when PAYMENT_PROVIDER=simulated.
 */
@ApiTags('dev')
@Controller('dev/payments')
export class DevPaymentsController {
  constructor(
    private readonly simulated: SimulatedClientService,
    private readonly payments: PaymentsService,
    private readonly customers: CustomersService,
  ) {}

  @Post(':paymentIntentId/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Pay a PaymentIntent with a test card, as Stripe.js would (simulated provider only)',
    description:
      'Confirms your PaymentIntent with a Stripe test PaymentMethod id or test card number. Success answers `succeeded` ' +
      '(`requires_capture` for a rental authorisation); a 3-D Secure card answers `requires_action` with `nextAction: ' +
      '"use_stripe_sdk"` (then call `/authenticate`); a declined card answers 400 PAYMENT_CARD_DECLINED. The reservation is ' +
      'confirmed by the webhook event that follows, or by `POST /v1/reservations/confirm`.',
  })
  @ApiParam(INTENT_PARAM)
  @ApiOkResponse({ type: DevPaymentResultDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'PAYMENT_METHOD_NOT_FOUND', 'PAYMENT_CARD_DECLINED', 'PAYMENT_PROCESSING_FAILED')
  async confirm(
    @CurrentUser() user: AuthUser,
    @Param('paymentIntentId') paymentIntentId: string,
    @Body() body: DevConfirmPaymentDto,
  ): Promise<DevPaymentResultDto> {
    await this.ownIntent(user, paymentIntentId);
    return this.answer(() => this.simulated.confirmAsClient(paymentIntentId, body.paymentMethod));
  }

  @Post(':paymentIntentId/authenticate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete or fail 3-D Secure for a PaymentIntent (simulated provider only)',
    description:
      'Answers the 3-D Secure challenge of a PaymentIntent in `requires_action`: `success` completes the payment, ' +
      '`failure` fails it (400 PAYMENT_CARD_DECLINED; convert the hold again or confirm with another card).',
  })
  @ApiParam(INTENT_PARAM)
  @ApiOkResponse({ type: DevPaymentResultDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'PAYMENT_CARD_DECLINED')
  async authenticate(
    @CurrentUser() user: AuthUser,
    @Param('paymentIntentId') paymentIntentId: string,
    @Body() body: DevAuthenticatePaymentDto,
  ): Promise<DevPaymentResultDto> {
    await this.ownIntent(user, paymentIntentId);
    return this.answer(() => this.simulated.authenticate(paymentIntentId, body.result));
  }

  @Post('setup-intents/:setupIntentId/confirm')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Save a card on a SetupIntent with a test card, as Stripe.js confirmSetup would (simulated provider only)',
    description:
      'Confirms your SetupIntent with a Stripe test PaymentMethod id, a test card number or one of your saved cards. Success ' +
      'answers `succeeded` (the card is saved for off-session payments); a 3-D Secure card answers `requires_action` (then ' +
      'call `/authenticate`); a declined card answers 400 PAYMENT_CARD_DECLINED.',
  })
  @ApiParam(SETUP_INTENT_PARAM)
  @ApiOkResponse({ type: DevSetupResultDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'PAYMENT_METHOD_NOT_FOUND', 'PAYMENT_CARD_DECLINED', 'PAYMENT_PROCESSING_FAILED')
  async confirmSetup(
    @CurrentUser() user: AuthUser,
    @Param('setupIntentId') setupIntentId: string,
    @Body() body: DevConfirmPaymentDto,
  ): Promise<DevSetupResultDto> {
    await this.ownSetupIntent(user, setupIntentId);
    return this.answerSetup(() => this.simulated.confirmSetup(setupIntentId, body.paymentMethod));
  }

  @Post('setup-intents/:setupIntentId/authenticate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Complete or fail 3-D Secure for a SetupIntent (simulated provider only)',
    description:
      'Answers the 3-D Secure challenge of a SetupIntent in `requires_action`: `success` saves the card, `failure` fails ' +
      'it (400 PAYMENT_CARD_DECLINED; confirm again with another card).',
  })
  @ApiParam(SETUP_INTENT_PARAM)
  @ApiOkResponse({ type: DevSetupResultDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND', 'PAYMENT_CARD_DECLINED')
  async authenticateSetup(
    @CurrentUser() user: AuthUser,
    @Param('setupIntentId') setupIntentId: string,
    @Body() body: DevAuthenticatePaymentDto,
  ): Promise<DevSetupResultDto> {
    await this.ownSetupIntent(user, setupIntentId);
    return this.answerSetup(() => this.simulated.authenticateSetup(setupIntentId, body.result));
  }

  /** The caller's own intent, known to the simulated provider; anything else is 404, whoever's it is. */
  private async ownIntent(user: AuthUser, intentId: string): Promise<void> {
    const payment = await this.payments.findByIntentId(intentId);
    if (!payment || payment.userId !== user.sub) throw new AppError('NOT_FOUND', 'Payment not found');
    await this.simulated.known(intentId);
  }

  /** A SetupIntent of the caller's own provider customer; anything else is 404, whoever's it is. */
  private async ownSetupIntent(user: AuthUser, setupIntentId: string): Promise<void> {
    const setupIntent = await this.simulated.knownSetup(setupIntentId);
    const customerId = await this.customers.find(user.sub);
    if (!customerId || setupIntent.customerId !== customerId) throw new AppError('NOT_FOUND', 'SetupIntent not found');
  }

  private async answerSetup(step: () => Promise<SetupIntentSnapshot>): Promise<DevSetupResultDto> {
    try {
      const setupIntent = await step();
      return { setupIntentId: setupIntent.id, status: setupIntent.status, nextAction: setupIntent.nextActionType };
    } catch (error) {
      throw devError(error);
    }
  }

  private async answer(step: () => Promise<IntentSnapshot>): Promise<DevPaymentResultDto> {
    try {
      const intent = await step();
      return { paymentIntentId: intent.id, status: intent.status, nextAction: intent.nextActionType };
    } catch (error) {
      throw devError(error);
    }
  }
}

function devError(error: unknown): AppError {
  if (!(error instanceof PaymentGatewayError)) return toAppError(error);
  if (
    error.providerCode === 'payment_intent_authentication_failure' ||
    error.providerCode === 'setup_intent_authentication_failure'
  ) {
    return new AppError('PAYMENT_CARD_DECLINED', 'The card could not be authenticated (3-D Secure failed)');
  }
  if (error.kind !== 'invalid_request') return toAppError(error);
  if (error.providerCode === 'resource_missing') return new AppError('PAYMENT_METHOD_NOT_FOUND', error.message);
  // A wrong card number, a spent or someone else's card, a step the intent's status does not allow.
  return new AppError('VALIDATION_FAILED', error.message);
}
