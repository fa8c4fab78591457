import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '@holdfast/errors';
import { PAYMENT_GATEWAY, type IntentSnapshot, type PaymentGateway, type SetupIntentSnapshot } from './payment-gateway';
import { SimulatedGateway } from './simulated.gateway';

/**
 * What Stripe.js does on the client, against the simulated provider (the dev payment
 * routes): pay an intent or set up a card (SetupIntent) with a test card, answer 3-D Secure. The gateway itself stays
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

  /** Confirms a SetupIntent with a test card or a saved card of its customer, as Stripe.js's `confirmSetup` would. */
  async confirmSetup(setupIntentId: string, paymentMethod: string): Promise<SetupIntentSnapshot> {
    return this.simulated().confirmSetupAsClient(setupIntentId, paymentMethod);
  }

  /** Completes or fails a SetupIntent's 3-D Secure challenge. */
  async authenticateSetup(setupIntentId: string, result: 'success' | 'failure'): Promise<SetupIntentSnapshot> {
    return this.simulated().authenticateSetup(setupIntentId, result);
  }

  /**
   * A SetupIntent the simulated provider knows (its customer decides whose it is).
   *
   * @throws AppError NOT_FOUND when the simulated provider is not in use or does not know it.
   */
  async knownSetup(setupIntentId: string): Promise<SetupIntentSnapshot> {
    try {
      return await this.simulated().retrieveSetupIntent(setupIntentId);
    } catch (error) {
      if (error instanceof AppError) throw error;
      throw new AppError(
        'NOT_FOUND',
        'The simulated provider does not know this SetupIntent (it forgets them when the server restarts)',
      );
    }
  }

  private simulated(): SimulatedGateway {
    if (!(this.gateway instanceof SimulatedGateway))
      throw new AppError('NOT_FOUND', 'The simulated payment provider is not in use');
    return this.gateway;
  }

  /**
   * The simulated provider, when it is the one in use and knows the intent.
   *
   * @throws AppError NOT_FOUND otherwise (its objects live in memory: a restart forgets them).
   */
  async known(intentId: string): Promise<SimulatedGateway> {
    const gateway = this.simulated();
    try {
      await gateway.retrieveIntent(intentId);
    } catch {
      throw new AppError(
        'NOT_FOUND',
        'The simulated provider does not know this PaymentIntent (it forgets them when the server restarts)',
      );
    }
    return gateway;
  }
}
