import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@holdfast/errors';
import { PAYMENT_GATEWAY, type IntentSnapshot, type PaymentGateway } from './payment-gateway';
import { SimulatedGateway } from './simulated.gateway';

/**
 * What Stripe.js does on the client, against the simulated provider (the dev payment
 * routes): pay an intent with a test card, answer 3-D Secure. The gateway itself stays
 * inside payments; this is the one door to its client side.
 */
@Injectable()
export class SimulatedClientService {
  constructor(@Inject(PAYMENT_GATEWAY) private readonly gateway: PaymentGateway) {}

  /** Confirms an intent with a test PaymentMethod id or card number, as Stripe.js would. */
  async confirmAsClient(intentId: string, paymentMethod: string): Promise<IntentSnapshot> {
    return (await this.known(intentId)).confirmAsClient(intentId, paymentMethod);
  }

  /** Completes or fails an intent's 3-D Secure challenge. */
  async authenticate(intentId: string, result: 'success' | 'failure'): Promise<IntentSnapshot> {
    return (await this.known(intentId)).authenticate(intentId, result);
  }

  /**
   * The simulated provider, when it is the one in use and knows the intent.
   *
   * @throws AppError NOT_FOUND otherwise (its objects live in memory: a restart forgets them).
   */
  async known(intentId: string): Promise<SimulatedGateway> {
    if (!(this.gateway instanceof SimulatedGateway))
      throw new AppError('NOT_FOUND', 'The simulated payment provider is not in use');
    try {
      await this.gateway.retrieveIntent(intentId);
    } catch {
      throw new AppError(
        'NOT_FOUND',
        'The simulated provider does not know this PaymentIntent (it forgets them when the server restarts)',
      );
    }
    return this.gateway;
  }
}
