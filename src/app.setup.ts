import { type INestApplication, Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import express, { type NextFunction, type Request, type Response } from 'express';
import { Logger } from 'nestjs-pino';
import type { Clock } from '@holdfast/clock';
import { createValidationPipe, rejectHostileInput } from '@holdfast/errors';
import { onlyPostToGraphql } from './admin-graphql/graphql-endpoint.controller';
import { GLOBAL_PREFIX, GRAPHQL_PATH, UNPREFIXED_PATHS } from './config/api-paths';
import { AppModule } from './app.module';
import type { AppConfig } from './config/app-config';
import { answerClientErrors } from './http-server';
import { requestIdMiddleware } from './logging';
import { installHoldLane, PARSED_BODY_ERROR } from './hold-lane';
import { HttpMetrics } from './metrics/http-metrics';
import { applyHttpProtection } from './protection/http-protection';
import { ProtectionConfig } from './protection/protection.config';
import { acceptHoldRequest } from './reservations/dto/hold-request.fast';
import { HoldRequestDto } from './reservations/dto/hold.dto';
import { setupSwagger } from './swagger';

export const BODY_LIMIT = '1mb';
/** Signed webhooks read only their raw bytes (a signed event they cannot apply is stored and acknowledged). */
const SIGNED_WEBHOOK_PATHS = new Set(['/v1/webhooks/stripe', '/v1/integrations/fleet/events']);

/**
 * Creates the app exactly as production runs it (prefix, pipes, body limits, Swagger,
 * shutdown hooks). main.ts and the e2e tests both call this, so tests exercise the real setup.
 * `clock`: the app's Clock (default the system clock; tests pass a TestClock).
 */
export async function createApp(
  config: AppConfig,
  extraImports: Parameters<typeof AppModule.forRoot>[1] = [],
  clock?: Clock,
): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, extraImports, clock),
    new NotFoundEverywhereAdapter(),
    { bufferLogs: true, bodyParser: false },
  );
  app.useLogger(app.get(Logger));
  app.use(requestIdMiddleware); // first: a request refused by any later step still has its id
  app.use(app.get(HttpMetrics).middleware); // before the rest, so it counts every request: 404s and refused bodies too
  const bodies = bodyParsers();
  app.use(bodies.middleware);
  // NUL characters and deep nesting, before anything walks the body (docs/errors.md). Not on
  // the signed webhook: it reads only its raw bytes, and a signed event it cannot apply is
  // acknowledged and stored as unprocessable (a 400 would make Stripe retry it forever).
  app.use((req: Request, res: Response, next: NextFunction) =>
    SIGNED_WEBHOOK_PATHS.has(req.path) ? next() : rejectHostileInput(req, res, next),
  );
  app.setGlobalPrefix(GLOBAL_PREFIX, { exclude: UNPREFIXED_PATHS });
  // The hold's body has a fast acceptor; class-validator still decides whatever it declines (docs/errors.md).
  app.useGlobalPipes(createValidationPipe(new Map([[HoldRequestDto, acceptHoldRequest]])));
  app.disable('x-powered-by');
  const protection = app.get(ProtectionConfig);
  app.set('trust proxy', protection.trustProxy);
  applyHttpProtection(app, protection); // before Swagger, so /docs gets the security headers too
  app.use(GRAPHQL_PATH, onlyPostToGraphql); // Apollo would answer GET too, past the POST route's guards
  setupSwagger(app as INestApplication);
  if (config.HOLD_LANE) installHoldLane(app, bodies.json, protection);
  const clientErrors = new NestLogger('HttpServer');
  answerClientErrors(app.getHttpServer(), (requestId, status, code) =>
    clientErrors.warn({ requestId, status, code }, `Refused a request Node could not read: ${status}`),
  );
  return app;
}

/**
 * JSON and form bodies up to BODY_LIMIT. Only the signed webhooks keep their raw bytes
 * (`req.rawBody`, what their signature covers): keeping them for every request made the
 * parser read each body as a buffer and decode it again (issue 16's profile). `json` is
 * also what the hold lane reads its bodies with; a body it read is not read again
 * (body-parser skips a finished request), and its refusal goes on from here.
 */
function bodyParsers(): {
  json: ReturnType<typeof express.json>;
  middleware: (req: Request, res: Response, next: NextFunction) => void;
} {
  const keepRawBody = (req: Request & { rawBody?: Buffer }, _res: Response, raw: Buffer): void => {
    req.rawBody = raw;
  };
  const json = express.json({ limit: BODY_LIMIT });
  const signedJson = express.json({ limit: BODY_LIMIT, verify: keepRawBody });
  const form = express.urlencoded({ limit: BODY_LIMIT, extended: false });
  const middleware = (req: Request & { [PARSED_BODY_ERROR]?: unknown }, res: Response, next: NextFunction): void => {
    if (req[PARSED_BODY_ERROR] !== undefined) return next(req[PARSED_BODY_ERROR]);
    (SIGNED_WEBHOOK_PATHS.has(req.path) ? signedJson : json)(req, res, (error?: unknown) =>
      error === undefined ? form(req, res, next) : next(error),
    );
  };
  return { json, middleware };
}

/**
 * Nest answers a path nobody serves with its 404 only under the global prefix (/v1) and
 * on the excluded routes; anything else (`/foo`, `/`, `/docs/x`) fell through to
 * Express's HTML "Cannot GET". The same handler, mounted at the root after every route,
 * sends those through the exception filter too: the JSON envelope, 404 NOT_FOUND.
 */
class NotFoundEverywhereAdapter extends ExpressAdapter {
  override setNotFoundHandler(
    ...args: Parameters<ExpressAdapter['setNotFoundHandler']>
  ): ReturnType<ExpressAdapter['setNotFoundHandler']> {
    const result = super.setNotFoundHandler(...args);
    this.use(args[0]);
    return result;
  }
}
