var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
var __param = (this && this.__param) || function (paramIndex, decorator) {
    return function (target, key) { decorator(target, key, paramIndex); }
};
import { Controller, Headers, HttpCode, Post, Req } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '../../libs/errors/src/index.js';
import { Public } from '../auth/auth.decorators.js';
import { SkipRateLimit } from '../protection/rate-limit.decorators.js';
import { WebhookAckDto } from './dto/webhook-ack.dto.js';
import { WebhooksService } from './webhooks.service.js';
let WebhooksController = class WebhooksController {
    constructor(webhooks) {
        this.webhooks = webhooks;
    }
    /**
     * No bearer token: the signature over the raw body is the authentication. The body is
     * read as sent (`rawBody`), never re-serialised, or the signature would not match.
     * Not rate-limited: Stripe retries refused deliveries for days, and a burst of events
     * (a sale) must not be turned away; the signature check still runs on every call.
     */
    receive(req, signature) {
        // No raw body (not JSON, or empty): verification fails on the empty buffer, as it should.
        return this.webhooks.handle(req.rawBody ?? Buffer.alloc(0), signature);
    }
};
__decorate([
    Post('stripe'),
    Public(),
    SkipRateLimit(),
    HttpCode(200),
    ApiOperation({
        summary: 'Receive a Stripe event (signed)',
        description: 'Called by Stripe (and by the simulated provider). The body is verified against `Stripe-Signature` with ' +
            '`STRIPE_WEBHOOK_SECRET`; a missing, wrong or stale signature is 400 and nothing is stored. Each event id is ' +
            'processed once (a duplicate is acknowledged with `duplicate: true`); an event applies in one transaction with ' +
            'everything it changes, and a failure answers 500 so Stripe retries. Handled: `payment_intent.succeeded`, ' +
            '`payment_intent.payment_failed`, `payment_intent.canceled`, `payment_intent.requires_action`, ' +
            '`payment_intent.amount_capturable_updated` (and any other `payment_intent.*`), `charge.refunded`, `refund.created`, ' +
            '`refund.updated`, `charge.refund.updated` (refunds made in the dashboard are recorded); other types are acknowledged ' +
            'and stored as ignored.',
    }),
    ApiHeader({
        name: 'Stripe-Signature',
        required: true,
        description: 'Stripe\'s signature header, `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`, made with the endpoint\'s ' +
            'signing secret (`whsec_...`). Rejected when it does not match the raw body or `t` is more than 5 minutes off.',
        schema: { type: 'string', example: 't=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd' },
    }),
    ApiBody({
        description: 'A Stripe Event object (`{ id, type, created, data: { object } }`), exactly as Stripe sent it.',
        schema: { type: 'object', additionalProperties: true },
    }),
    ApiOkResponse({ type: WebhookAckDto }),
    ApiErrors('VALIDATION_FAILED', 'INTERNAL_ERROR'),
    __param(0, Req()),
    __param(1, Headers('stripe-signature')),
    __metadata("design:type", Function),
    __metadata("design:paramtypes", [Object, String]),
    __metadata("design:returntype", Promise)
], WebhooksController.prototype, "receive", null);
WebhooksController = __decorate([
    ApiTags('webhooks'),
    Controller('webhooks'),
    __metadata("design:paramtypes", [WebhooksService])
], WebhooksController);
export { WebhooksController };
//# sourceMappingURL=webhooks.controller.js.map