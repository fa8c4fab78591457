import { AppError } from '../../libs/errors/src/index.js';
import { PaymentGatewayError } from './payment-gateway.js';
/** Turns a provider failure into our code: declines (insufficient funds included) are the user's to fix; the rest is ours. */
export function toAppError(error) {
    if (error instanceof AppError)
        return error;
    if (error instanceof PaymentGatewayError) {
        if (error.kind === 'card_declined') {
            const why = error.declineCode === 'insufficient_funds' ? 'Your card has insufficient funds' : 'Your card was declined';
            return new AppError('PAYMENT_CARD_DECLINED', why);
        }
        return new AppError('PAYMENT_PROCESSING_FAILED', 'The payment could not be processed; please try again');
    }
    return new AppError('PAYMENT_PROCESSING_FAILED', 'The payment could not be processed; please try again');
}
//# sourceMappingURL=payments.errors.js.map