var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Injectable } from '@nestjs/common';
/** The port as payments injects it: forwards to whatever reservations registered. */
let PaymentOutcomes = class PaymentOutcomes {
    constructor() {
        this.port = null;
    }
    register(port) {
        this.port = port;
    }
    get target() {
        if (!this.port)
            throw new Error('no PaymentOutcomePort is registered (ReservationsModule registers it)');
        return this.port;
    }
    paymentSucceeded(reservationId, paymentId) {
        return this.target.paymentSucceeded(reservationId, paymentId);
    }
    paymentFailed(reservationId, paymentId) {
        return this.target.paymentFailed(reservationId, paymentId);
    }
    paymentRequiresAction(reservationId, paymentId) {
        return this.target.paymentRequiresAction(reservationId, paymentId);
    }
    paymentRefunded(reservationId, paymentId, reason) {
        return this.target.paymentRefunded(reservationId, paymentId, reason);
    }
};
PaymentOutcomes = __decorate([
    Injectable()
], PaymentOutcomes);
export { PaymentOutcomes };
//# sourceMappingURL=payment-outcome.port.js.map