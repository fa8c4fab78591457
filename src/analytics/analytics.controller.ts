import { Controller, Get, Logger, Query, Req, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrors } from '@holdfast/errors';
import { Roles, Scopes } from '../auth/auth.decorators';
import { SEED_002_PREFIX, SEED_002_TAG } from '../config/api-paths';
import { rangeOf } from './analytics-range';
import { AnalyticsService, decodeCursor } from './analytics.service';
import { AnalyticsExport, AnalyticsPageDto, AnalyticsQueryDto } from './dto/analytics.dto';
import { NDJSON, wantsNdjson, writeNdjson } from './ndjson';

/** The OAuth scope a machine client's token needs (a Cognito resource-server scope). */
export const ANALYTICS_READ_SCOPE = 'holdfast/analytics.read';

const DOC = {
  summary: 'Booking records for forecasting and revenue (JSON pages, or the whole range as NDJSON)',
  description:
    'Bookings created in [from, to) (UTC), oldest first, one record per booking line (the AnalyticsExport schema, ' +
    'docs/analytics.md): offering, unit, times, lead time, quantity, prices and discounts, status and its times, ' +
    'payments and refunds. Never the guest name, email or phone. For admins, or a machine client whose token carries ' +
    `the scope \`${ANALYTICS_READ_SCOPE}\`. By default a JSON page of \`limit\` bookings and \`nextCursor\`; with ` +
    '`Accept: application/x-ndjson`, every record of the range streamed as newline-delimited JSON, read in keyset chunks ' +
    'of 250 bookings at the pace the client reads (no page size, no cursor; not cut by the request timeout).',
};

/** The two answers: a JSON page, or NDJSON lines of AnalyticsExport. */
const RESPONSES = {
  status: 200,
  description: 'A page (application/json) or every record of the range, one per line (application/x-ndjson).',
  content: {
    'application/json': { schema: { $ref: getSchemaPath(AnalyticsPageDto) } },
    [NDJSON]: { schema: { $ref: getSchemaPath(AnalyticsExport) } },
  },
};

/**
 * Serves one request: validates the range and cursor, then a JSON page, or the NDJSON
 * stream chunk by chunk, waiting for the client to drain each and stopping when it goes
 * away. Errors before the first byte are our error envelope (the global filter); a failure
 * mid-stream can only cut the response, which the client sees as a truncated body.
 */
async function serve(analytics: AnalyticsService, logger: Logger, query: AnalyticsQueryDto, req: Request, res: Response) {
  const range = rangeOf(query.from, query.to);
  if (!wantsNdjson(req.headers.accept)) {
    res.json(await analytics.page(range, query.cursor ? decodeCursor(query.cursor) : null, query.limit));
    return;
  }
  let closed = false;
  res.once('close', () => (closed = true));
  const chunks = analytics.stream(range);
  try {
    for await (const records of chunks) {
      if (!res.headersSent) {
        res.status(200).type(NDJSON).setHeader('Cache-Control', 'no-store');
      }
      if (closed || !(await writeNdjson(res, records))) break;
    }
    if (!res.headersSent) res.status(200).type(NDJSON).setHeader('Cache-Control', 'no-store');
    if (!closed) res.end();
  } catch (error) {
    if (!res.headersSent) throw error;
    logger.error({ err: error }, 'analytics stream failed mid-way; the response is cut');
    res.destroy();
  } finally {
    await chunks.return(undefined);
  }
}

/** `GET /v1/bookings/analytics` (DESIGN.md section 13). */
@ApiTags('analytics')
@ApiExtraModels(AnalyticsExport, AnalyticsPageDto)
@Controller('bookings/analytics')
export class AnalyticsController {
  private readonly logger = new Logger(AnalyticsController.name);

  constructor(private readonly analytics: AnalyticsService) {}

  @Get()
  @Roles('admin')
  @Scopes(ANALYTICS_READ_SCOPE)
  @ApiOperation(DOC)
  @ApiProduces('application/json', NDJSON)
  @ApiOkResponse(RESPONSES)
  @ApiErrors('VALIDATION_FAILED', 'FORBIDDEN')
  async export(@Query() query: AnalyticsQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    await serve(this.analytics, this.logger, query, req, res);
  }
}

/** Seed 002's exact path, `GET /api/bookings/analytics`: the same handler and contract. */
@ApiTags(SEED_002_TAG)
@ApiExtraModels(AnalyticsExport, AnalyticsPageDto)
@Controller(`${SEED_002_PREFIX}/bookings/analytics`)
export class Seed002AnalyticsController {
  private readonly logger = new Logger(Seed002AnalyticsController.name);

  constructor(private readonly analytics: AnalyticsService) {}

  @Get()
  @Roles('admin')
  @Scopes(ANALYTICS_READ_SCOPE)
  @ApiOperation({ ...DOC, description: `${DOC.description} As \`GET /v1/bookings/analytics\`.` })
  @ApiProduces('application/json', NDJSON)
  @ApiOkResponse(RESPONSES)
  @ApiErrors('VALIDATION_FAILED', 'FORBIDDEN')
  async export(@Query() query: AnalyticsQueryDto, @Req() req: Request, @Res() res: Response): Promise<void> {
    await serve(this.analytics, this.logger, query, req, res);
  }
}
