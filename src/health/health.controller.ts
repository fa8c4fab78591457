import { Controller, Get, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheckService, type HealthCheckResult } from '@nestjs/terminus';
import type { Response } from 'express';
import { Public } from '../auth/auth.decorators';
import { DatabaseHealthIndicator } from './database.health';

/**
 * Probes for load balancers and Kubernetes. They answer Terminus's own body (not the
 * error envelope), with 503 when a check fails or the app is shutting down.
 */
@ApiTags('health')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly db: DatabaseHealthIndicator,
  ) {}

  @Get('live')
  @ApiOperation({ summary: 'Liveness: the process is up and serving HTTP' })
  @ApiOkResponse({ description: '`{ "status": "ok", ... }`' })
  live(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.answer(res, () => this.health.check([]));
  }

  @Get('ready')
  @ApiOperation({ summary: 'Readiness: the database answers (503 when it does not, or while shutting down)' })
  @ApiOkResponse({ description: '`{ "status": "ok", "info": { "database": { "status": "up" } } }`' })
  @ApiServiceUnavailableResponse({ description: '`{ "status": "error", "error": { "database": { "status": "down" } } }`' })
  ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    return this.answer(res, () => this.health.check([() => this.db.check(1500)]));
  }

  private async answer(res: Response, check: () => Promise<HealthCheckResult>): Promise<HealthCheckResult> {
    try {
      return await check();
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      res.status(503);
      return error.getResponse() as HealthCheckResult;
    }
  }
}
