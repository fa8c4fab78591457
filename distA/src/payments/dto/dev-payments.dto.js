var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
const INTENT_STATUSES = [
    'requires_payment_method',
    'requires_confirmation',
    'requires_action',
    'processing',
    'requires_capture',
    'succeeded',
    'canceled',
];
/** What Stripe.js would send when the app confirms the payment with a card. */
export class DevConfirmPaymentDto {
}
__decorate([
    ApiProperty({
        example: 'pm_card_visa',
        maxLength: 64,
        description: "One of Stripe's test PaymentMethod ids (`pm_card_visa`, `pm_card_mastercard`, `pm_card_chargeDeclined`, " +
            '`pm_card_chargeDeclinedInsufficientFunds`, `pm_card_threeDSecure2Required`, `pm_card_authenticationRequiredOnSetup`, ...), ' +
            'a test card number (`4242424242424242` succeeds, `4000000000000002` is declined, `4000000000009995` has insufficient ' +
            "funds, `4000002500003155` needs 3-D Secure), or a saved `pm_sim_...` id of the intent's customer.",
    }),
    IsString(),
    MaxLength(64),
    Matches(/^(pm_[A-Za-z0-9_]+|[0-9][0-9 -]{10,22}[0-9])$/, {
        message: 'paymentMethod must be a PaymentMethod id such as pm_card_visa or a test card number such as 4242424242424242',
    }),
    __metadata("design:type", String)
], DevConfirmPaymentDto.prototype, "paymentMethod", void 0);
/** The customer's answer to the 3-D Secure challenge. */
export class DevAuthenticatePaymentDto {
}
__decorate([
    ApiProperty({
        enum: ['success', 'failure'],
        example: 'success',
        description: '`success` completes the payment; `failure` fails it.',
    }),
    IsIn(['success', 'failure']),
    __metadata("design:type", String)
], DevAuthenticatePaymentDto.prototype, "result", void 0);
export class DevPaymentResultDto {
}
__decorate([
    ApiProperty({ example: 'pi_sim_Q2xk9T0aZr4bN8vLw1YpC3dE' }),
    __metadata("design:type", String)
], DevPaymentResultDto.prototype, "paymentIntentId", void 0);
__decorate([
    ApiProperty({ enum: INTENT_STATUSES, example: 'succeeded', description: "The PaymentIntent's status after this step." }),
    __metadata("design:type", String)
], DevPaymentResultDto.prototype, "status", void 0);
__decorate([
    ApiProperty({
        example: null,
        nullable: true,
        type: String,
        description: 'What the customer must do next: `use_stripe_sdk` when 3-D Secure is needed (answer it with `/authenticate`).',
    }),
    __metadata("design:type", Object)
], DevPaymentResultDto.prototype, "nextAction", void 0);
//# sourceMappingURL=dev-payments.dto.js.map