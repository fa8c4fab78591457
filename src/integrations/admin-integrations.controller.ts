import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { Roles } from '../auth/auth.decorators';
import { IntegrationListDto } from './dto/integration.dto';
import { IntegrationsService } from './integrations.service';

/** Outbound integrations' health. Admins only. */
@ApiTags('admin')
@Roles('admin')
@Controller('admin/integrations')
export class AdminIntegrationsController {
  constructor(private readonly integrations: IntegrationsService) {}

  @Get()
  @ApiOperation({
    summary: 'List outbound integrations and their state',
    description:
      'Each integration (tax, IMS, carriers...): its circuit breaker, its last error (message only) and when, and over the ' +
      'last 15 minutes its calls by outcome, success rate and fallback rate; with a daily quota, how much of it is used. ' +
      "This replica's view: each replica has its own breakers and counts (Prometheus sums them: docs/integrations.md).",
  })
  @ApiOkResponse({ type: IntegrationListDto })
  @ApiErrors('FORBIDDEN')
  list(): IntegrationListDto {
    return {
      integrations: this.integrations.states().map((s) => ({
        ...s,
        lastError: s.lastError && { message: s.lastError.message, at: s.lastError.at.toISOString() },
      })),
    };
  }
}
