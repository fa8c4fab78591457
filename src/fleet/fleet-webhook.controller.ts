import { Controller, Headers, HttpCode, Post, Req, type RawBodyRequest } from '@nestjs/common';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { Clock } from '@holdfast/clock';
import { ApiErrors, AppError } from '@holdfast/errors';
import { Public } from '../auth/auth.decorators';
import { SkipRateLimit } from '../protection/rate-limit.decorators';
import { FleetEventAckDto } from './dto/fleet-event-ack.dto';
import { FleetConfig } from './fleet.config';
import { FleetEventsService } from './fleet-events.service';
import { FleetMetrics } from './fleet-metrics';
import { FleetSignatureError, verifyFleetSignature } from './fleet-signature';

@ApiTags('integrations')
@Controller('integrations/fleet')
export class FleetWebhookController {
  constructor(
    private readonly events: FleetEventsService,
    private readonly config: FleetConfig,
    private readonly clock: Clock,
    private readonly metrics: FleetMetrics,
  ) {}

  /**
   * No bearer token: the signature over the raw body is the authentication (read as sent,
   * never re-serialised). Not rate-limited, like the Stripe webhook: the fleet may send a
   * burst (a depot's morning), and the signature check runs on every call.
   */
  @Post('events')
  @Public()
  @SkipRateLimit()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Receive a fleet event (signed)',
    description:
      "The fleet's events (DESIGN.md section 12, docs/fleet.md): `VehicleStatusChanged {status}` sets the unit's fleet " +
      'status; `MaintenanceScheduled {maintenanceId, from, to, reason, cancelled?}` blocks the unit (moving or displacing ' +
      'the bookings it overlaps) or lifts the block. Every event is `{id, type, occurredAt, vehicleId}` plus its fields, ' +
      "`vehicleId` being the unit's fleet vehicle id. A missing or wrong signature, or a timestamp more than 5 minutes " +
      'off, is 400 VALIDATION_FAILED (as for the Stripe webhook) and nothing is stored. Each id is applied once; an event older than one already applied about the ' +
      'same thing is recorded as stale; malformed events and unknown vehicles are recorded and acknowledged (200): ' +
      'sending them again changes nothing. A failure on our side answers 503 so the fleet retries.',
  })
  @ApiHeader({
    name: 'X-Fleet-Signature',
    required: true,
    description:
      '`t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>">` with FLEET_WEBHOOK_SECRET (any one of its ' +
      'comma-separated entries during a rotation). Refused when `t` is more than 5 minutes off, either way.',
    schema: { type: 'string', example: 't=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd' },
  })
  @ApiBody({
    description: 'One fleet event, exactly as signed.',
    schema: {
      type: 'object',
      additionalProperties: true,
      example: {
        id: 'evt_01J9Z3',
        type: 'MaintenanceScheduled',
        occurredAt: '2026-12-05T09:00:00Z',
        vehicleId: 'AB-123-CD',
        maintenanceId: 'mnt_42',
        from: '2026-12-10T00:00:00Z',
        to: '2026-12-12T00:00:00Z',
        reason: 'brake pads',
      },
    },
  })
  @ApiOkResponse({ type: FleetEventAckDto })
  @ApiErrors('VALIDATION_FAILED', 'SERVICE_UNAVAILABLE')
  async receive(
    @Req() req: RawBodyRequest<Request>,
    @Headers('x-fleet-signature') signature?: string,
  ): Promise<FleetEventAckDto> {
    const raw = req.rawBody ?? Buffer.alloc(0);
    try {
      verifyFleetSignature(raw, signature, this.config.webhookSecrets, this.clock.nowMs());
    } catch (error) {
      if (!(error instanceof FleetSignatureError)) throw error;
      this.metrics.received('http', 'rejected');
      throw new AppError('VALIDATION_FAILED', `Invalid fleet signature: ${error.message}`);
    }
    let result;
    try {
      result = await this.events.handle(raw, 'http');
    } catch {
      this.metrics.received('http', 'failed');
      throw new AppError('SERVICE_UNAVAILABLE', 'The fleet event could not be applied now; send it again');
    }
    return {
      received: true,
      eventId: result.eventId,
      outcome: result.outcome,
      ...(result.detail ? { detail: result.detail } : {}),
    };
  }
}
