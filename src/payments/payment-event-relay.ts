import { Injectable } from '@nestjs/common';

export type EventDeliveryHandler = (rawBody: Buffer, signatureHeader: string) => Promise<void>;

/**
 * Where the simulated provider delivers its signed events: the webhooks module registers
 * its handler here at start-up, so a simulated event goes through the same signature
 * check, de-duplication and code path as a real Stripe delivery, without payments
 * depending on webhooks.
 */
@Injectable()
export class PaymentEventRelay {
  private handler: EventDeliveryHandler | null = null;

  register(handler: EventDeliveryHandler): void {
    this.handler = handler;
  }

  async deliver(rawBody: Buffer, signatureHeader: string): Promise<void> {
    if (!this.handler) throw new Error('no webhook handler is registered for simulated payment events');
    await this.handler(rawBody, signatureHeader);
  }
}
