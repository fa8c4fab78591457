import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiErrors } from '@holdfast/errors';
import { Public } from '../auth/auth.decorators';
import { SkipRateLimit } from '../protection/rate-limit.decorators';
import { WebhookAckDto } from './dto/webhook-ack.dto';
import { WebhooksService } from './webhooks.service';

@ApiTags('webhooks')
@Controller('webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  /**
   * No bearer token: the signature over the raw body is the authentication. The body is
   * read as sent (`rawBody`), never re-serialised, or the signature would not match.
   * Not rate-limited: Stripe retries refused deliveries for days, and a burst of events
   * (a sale) must not be turned away; the signature check still runs on every call.
   */
  @Post('stripe')
  @Public()
  @SkipRateLimit()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receive a Stripe event (signed)',
    description:
      'Called by Stripe (and by the simulated provider). The body is verified against `Stripe-Signature` with ' +
      '`STRIPE_WEBHOOK_SECRET` (a comma-separated list during a rotation: any one of them may have signed); a missing ' +
      'or wrong signature, or a timestamp more than 5 minutes in the past or the future, is 400 and nothing is stored. ' +
      'Each event id is processed once (a duplicate is acknowledged with `duplicate: true`); an event applies in one ' +
      'transaction with everything it changes, and a failure answers 500 so Stripe retries. A signed event whose ' +
      '`data.object` is null or not what its type promises (no string id, an unknown status...) is acknowledged and ' +
      'stored as unprocessable, with the reason, and changes nothing. An intent or refund whose money is not our ' +
      "payment's (amount, currency, more refunded than captured) confirms and records nothing: the payment is " +
      'listed as stuck for admins. Handled: `payment_intent.succeeded`, ' +
      '`payment_intent.payment_failed`, `payment_intent.canceled`, `payment_intent.requires_action`, ' +
      '`payment_intent.amount_capturable_updated` (and any other `payment_intent.*`), `charge.refunded`, `refund.created`, ' +
      '`refund.updated`, `charge.refund.updated` (refunds made in the dashboard are recorded); other types are acknowledged ' +
      'and stored as ignored.',
  })
  @ApiHeader({
    name: 'Stripe-Signature',
    required: true,
    description:
      'Stripe\'s signature header, `t=<unix time>,v1=<hex HMAC-SHA256 of "t.body">`, made with the endpoint\'s ' +
      'signing secret (`whsec_...`). Rejected when it matches none of the configured secrets or `t` is more than ' +
      '5 minutes off, in either direction.',
    schema: { type: 'string', example: 't=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd' },
  })
  @ApiBody({
    description: 'A Stripe Event object (`{ id, type, created, data: { object } }`), exactly as Stripe sent it.',
    schema: { type: 'object', additionalProperties: true },
  })
  @ApiOkResponse({ type: WebhookAckDto })
  @ApiErrors('VALIDATION_FAILED', 'INTERNAL_ERROR')
  receive(@Req() req: RawBodyRequest<Request>, @Headers('stripe-signature') signature?: string): Promise<WebhookAckDto> {
    // No raw body (not JSON, or empty): verification fails on the empty buffer, as it should.
    return this.webhooks.handle(req.rawBody ?? Buffer.alloc(0), signature);
  }
}
