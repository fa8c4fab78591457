import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { INTENT_STATUSES, SETUP_INTENT_STATUSES, type IntentStatus, type SetupIntentStatus } from '../stripe-model';

/** What Stripe.js would send when the app confirms the payment with a card. */
export class DevConfirmPaymentDto {
  @ApiProperty({
    example: 'pm_card_visa',
    maxLength: 64,
    description:
      "One of Stripe's test PaymentMethod ids (`pm_card_visa`, `pm_card_mastercard`, `pm_card_chargeDeclined`, " +
      '`pm_card_chargeDeclinedInsufficientFunds`, `pm_card_threeDSecure2Required`, `pm_card_authenticationRequiredOnSetup`, ...), ' +
      'a test card number (`4242424242424242` succeeds, `4000000000000002` is declined, `4000000000009995` has insufficient ' +
      "funds, `4000002500003155` needs 3-D Secure), or a saved `pm_sim_...` id of the intent's customer.",
  })
  @IsString()
  @MaxLength(64)
  @Matches(/^(pm_[A-Za-z0-9_]+|[0-9][0-9 -]{10,22}[0-9])$/, {
    message: 'paymentMethod must be a PaymentMethod id such as pm_card_visa or a test card number such as 4242424242424242',
  })
  paymentMethod!: string;
}

/** The customer's answer to the 3-D Secure challenge. */
export class DevAuthenticatePaymentDto {
  @ApiProperty({
    enum: ['success', 'failure'],
    example: 'success',
    description: '`success` completes the payment; `failure` fails it.',
  })
  @IsIn(['success', 'failure'])
  result!: 'success' | 'failure';
}

export class DevPaymentResultDto {
  @ApiProperty({ example: 'pi_sim_Q2xk9T0aZr4bN8vLw1YpC3dE' })
  paymentIntentId!: string;

  @ApiProperty({ enum: INTENT_STATUSES, example: 'succeeded', description: "The PaymentIntent's status after this step." })
  status!: IntentStatus;

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'What the customer must do next: `use_stripe_sdk` when 3-D Secure is needed (answer it with `/authenticate`).',
  })
  nextAction!: string | null;
}

export class DevSetupResultDto {
  @ApiProperty({ example: 'seti_sim_Q2xk9T0aZr4bN8vLw1YpC3dE' })
  setupIntentId!: string;

  @ApiProperty({
    enum: SETUP_INTENT_STATUSES,
    example: 'succeeded',
    description: "The SetupIntent's status after this step: `succeeded` means the card is saved for off-session use.",
  })
  status!: SetupIntentStatus;

  @ApiProperty({
    example: null,
    nullable: true,
    type: String,
    description: 'What the customer must do next: `use_stripe_sdk` when 3-D Secure is needed (answer it with `/authenticate`).',
  })
  nextAction!: string | null;
}
