import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, NotFoundException, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { AppError } from '@holdfast/errors';
import { Public } from '../auth/auth.decorators';
import { MetricsConfig } from './metrics.config';
import { MetricsRegistry } from './metrics.registry';

/**
 * `GET /metrics` (no `/v1`): every metric in Prometheus text format, for a scraper that
 * sends `Authorization: Bearer <METRICS_TOKEN>`. Not behind the user JWT guard (a
 * scraper has no user), and not in the OpenAPI document (it is an operations endpoint,
 * described in docs/operations.md). With METRICS_TOKEN unset the route answers 404 as if
 * it did not exist, so metrics are never exposed by accident.
 */
@ApiExcludeController()
@Public()
@Controller('metrics')
export class MetricsController {
  private readonly tokenDigest: Buffer | null;

  constructor(
    private readonly registry: MetricsRegistry,
    config: MetricsConfig,
  ) {
    this.tokenDigest = config.scrapeToken ? digest(config.scrapeToken) : null;
  }

  @Get()
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    if (!this.tokenDigest) throw new NotFoundException();
    const [scheme, token] = (authorization ?? '').split(' ');
    // Compared as digests: equal lengths for timingSafeEqual, and no timing leak of the length.
    if (scheme?.toLowerCase() !== 'bearer' || !token || !timingSafeEqual(digest(token), this.tokenDigest)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AppError('UNAUTHORIZED', 'A valid metrics token is required');
    }
    res.setHeader('Content-Type', this.registry.contentType);
    res.setHeader('Cache-Control', 'no-store');
    return this.registry.metrics();
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
