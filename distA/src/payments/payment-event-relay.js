var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Injectable } from '@nestjs/common';
/**
 * Where the simulated provider delivers its signed events: the webhooks module registers
 * its handler here at start-up, so a simulated event goes through the same signature
 * check, de-duplication and code path as a real Stripe delivery, without payments
 * depending on webhooks.
 */
let PaymentEventRelay = class PaymentEventRelay {
    constructor() {
        this.handler = null;
    }
    register(handler) {
        this.handler = handler;
    }
    async deliver(rawBody, signatureHeader) {
        if (!this.handler)
            throw new Error('no webhook handler is registered for simulated payment events');
        await this.handler(rawBody, signatureHeader);
    }
};
PaymentEventRelay = __decorate([
    Injectable()
], PaymentEventRelay);
export { PaymentEventRelay };
//# sourceMappingURL=payment-event-relay.js.map