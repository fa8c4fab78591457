import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Logger, RequestMethod } from '@nestjs/common';
import {
  GUARDS_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  PATH_METADATA,
  PIPES_METADATA,
} from '@nestjs/common/constants.js';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type express from 'express';
import { PinoLogger } from 'nestjs-pino';
import { type HttpLogger, pinoHttp, startTime } from 'pino-http';
import { findHostileInput } from '@holdfast/errors';
import {
  IDEMPOTENCY_HEADER,
  IDEMPOTENCY_OPTIONS,
  IdempotencyKeyGuard,
  idempotentRequest,
  isIdempotencyKey,
} from '@holdfast/idempotency';
import type { AuthUser } from './auth/auth-user';
import { IS_PUBLIC, ROLES, SCOPES } from './auth/auth.decorators';
import { bearerToken } from './auth/auth.guards';
import { VerifiedTokens } from './auth/verified-tokens';
import { GLOBAL_PREFIX } from './config/api-paths';
import { accessLogLevel, requestIdOf } from './logging';
import { HttpMetrics, METRICS_ROUTE } from './metrics/http-metrics';
import { apiSecurityHeaders } from './protection/http-protection';
import type { ProtectionConfig } from './protection/protection.config';
import { RATE_LIMIT_BUCKET, SKIP_RATE_LIMIT } from './protection/rate-limit.decorators';
import { RATE_LIMIT_COUNTED, RateLimits } from './protection/rate-limits';
import { acceptHoldRequest } from './reservations/dto/hold-request.fast';
import { ReservationsController } from './reservations/reservations.controller';
import { type AtOnce, HOLD_TRIED_AT_ONCE, ReservationsService } from './reservations/reservations.service';

/** A body larger than this goes to the Nest pipeline unread (a hold's body is about 200 bytes). */
const MAX_BODY_BYTES = 16 * 1024;
const JSON_TYPES = new Set(['application/json', 'application/json; charset=utf-8']);

/** On a request whose body the lane read and body-parser refused: the error, for app.setup.ts's parsers to pass on. */
export const PARSED_BODY_ERROR = Symbol('holdfast:parsed-body-error');

type LaneRequest = IncomingMessage & {
  body?: unknown;
  user?: AuthUser;
  [RATE_LIMIT_COUNTED]?: true;
  [METRICS_ROUTE]?: string;
  [HOLD_TRIED_AT_ONCE]?: AtOnce;
  [PARSED_BODY_ERROR]?: unknown;
};

/**
 * The hold lane (issue 16): `POST /v1/reservations/hold` of one time slot, the mobile
 * app's everyday request, answered without Express's router and Nest's pipeline, which
 * cost more than half of a hold's CPU. It makes the same checks with the same code
 * (the auth guard's token cache, the rate limiter, the idempotency key, the hostile-input
 * check, the DTO's fast acceptor) and answers exactly as Nest would: the same status,
 * headers, body, access-log line and metrics.
 *
 * It only ever answers a 200. Anything else it hands, untouched, to Express, before it has
 * done anything a second pass would do again: a token not verified in the last minute, a
 * caller at a rate limit, a missing or malformed key, a body not plainly JSON or larger
 * than 16 KB, a body the fast acceptor cannot prove valid, a key used before, too few
 * places or any error of the statement (Nest then fails the request with that error, as
 * if it had tried itself). A body it read is not read again (body-parser
 * skips a finished request; a refusal goes on as `PARSED_BODY_ERROR`), a request it
 * counted is not counted again (`RATE_LIMIT_COUNTED`), and the access line and metrics
 * start when the request arrives, whoever answers it. With CORS configured the lane is
 * off (every response then carries CORS headers from Express's middleware).
 *
 * At start-up it checks that the hold route still has the guards, pipes, limits and
 * status it was written for, and refuses to start otherwise (see `assertHoldRouteUnchanged`).
 * `HOLD_LANE=false` sends every request through Nest.
 */
export function installHoldLane(
  app: NestExpressApplication,
  readJson: ReturnType<typeof express.json>,
  protection: ProtectionConfig,
): void {
  if (protection.corsOrigins.length > 0) return;
  const path = assertHoldRouteUnchanged();
  const expressApp = app.getHttpAdapter().getInstance() as express.Express;
  const server = app.getHttpServer() as Server;
  const tokens = app.get(VerifiedTokens);
  const limits = app.get(RateLimits);
  const metrics = app.get(HttpMetrics);
  const reservations = app.get(ReservationsService);
  const headers = apiSecurityHeaders();
  let accessLog: HttpLogger<IncomingMessage, ServerResponse> | undefined; // PinoLogger.root exists once the app is initialised
  const logger = new Logger('HoldLane');
  const etag = expressApp.get('etag fn') as EtagFn | undefined; // Express's ETag function, as its res.send uses it

  const pass = (req: LaneRequest, res: ServerResponse): void => {
    metrics.countLane('passed');
    expressApp(req as express.Request, res as express.Response);
  };

  /** A defect of the lane itself must not take the process down: the request goes to Nest, which answers it. */
  const guarded = (req: LaneRequest, res: ServerResponse, step: () => void): void => {
    try {
      step();
    } catch (error) {
      logger.error(`the hold lane failed; Nest answers the request: ${error instanceof Error ? error.stack : String(error)}`);
      if (!res.headersSent) pass(req, res);
      else if (!res.writableEnded) res.destroy();
    }
  };

  const admit = (req: LaneRequest, res: ServerResponse): void => {
    requestIdOf(req, res); // first, as in Express: X-Request-Id is the first header
    const user = tokenUser(req, tokens);
    const key = req.headers[IDEMPOTENCY_HEADER];
    const caller = user && `user:${user.sub}`;
    if (
      !user ||
      !caller ||
      !plainJsonBody(req) ||
      typeof key !== 'string' ||
      !isIdempotencyKey(key) ||
      !limits.hasRoom(caller, 'hold')
    ) {
      return pass(req, res);
    }
    (res as ServerResponse & { [startTime]?: number })[startTime] = Date.now(); // the access line's responseTime, whoever answers
    metrics.middleware(req as express.Request, res as express.Response, noop);
    req.user = user;
    limits.count(caller, 'hold'); // within both limits: hasRoom said so, with no await in between
    req[RATE_LIMIT_COUNTED] = true;
    readJson(req as express.Request, res as express.Response, (error?: unknown) =>
      guarded(req, res, () => (error === undefined ? hold(req, res, user, key) : passRefusedBody(req, res, error))),
    );
  };

  const passRefusedBody = (req: LaneRequest, res: ServerResponse, error: unknown): void => {
    req[PARSED_BODY_ERROR] = error;
    pass(req, res);
  };

  const hold = (req: LaneRequest, res: ServerResponse, user: AuthUser, key: string): void => {
    const dto = findHostileInput(req.body).length === 0 ? acceptHoldRequest(req.body) : null;
    if (!dto) return pass(req, res);
    const keyed = idempotentRequest({
      user: user.sub,
      method: 'POST',
      routePath: path,
      key,
      params: {},
      body: req.body,
      successStatus: 200,
      res: { setHeader: (name, value) => res.setHeader(name, value), status: (code) => (res.statusCode = code) },
    });
    // Whatever comes of it, the pipeline's hold goes on from there: it never tries the statement twice.
    reservations.holdAtOnce(user, dto, keyed).then(
      (answer) => {
        req[HOLD_TRIED_AT_ONCE] = { failed: false }; // took nothing; or, should answering fail, the key replays it
        guarded(req, res, () => (answer ? answerWith(req, res, answer) : pass(req, res)));
      },
      // The pipeline fails the request with the same error, as if it had tried itself (a 503 at once, not a retry).
      (error: unknown) => {
        req[HOLD_TRIED_AT_ONCE] = { failed: true, error };
        pass(req, res);
      },
    );
  };

  const answerWith = (req: LaneRequest, res: ServerResponse, answer: unknown): void => {
    accessLog ??= pinoHttp({
      logger: PinoLogger.root,
      genReqId: requestIdOf,
      customLogLevel: accessLogLevel,
      wrapSerializers: false,
    });
    accessLog(req, res);
    for (const [name, value] of headers) res.setHeader(name, value);
    sendJson(req, res, answer, etag);
    metrics.countLane('served');
  };

  const lane = (req: LaneRequest, res: ServerResponse): void => {
    if (req.method !== 'POST' || req.url !== path) return void expressApp(req as express.Request, res as express.Response);
    guarded(req, res, () => admit(req, res));
  };

  server.removeListener('request', expressApp);
  server.on('request', lane);
}

type EtagFn = (body: Buffer, encoding: string) => string | undefined;

function noop(): void {}

/** The user of a bearer token the auth guard verified in the last minute, else undefined. */
function tokenUser(req: IncomingMessage, tokens: VerifiedTokens): AuthUser | undefined {
  const token = bearerToken(req.headers.authorization);
  return token === null ? undefined : tokens.get(token);
}

/** A JSON body with a length, not compressed, no larger than MAX_BODY_BYTES. */
function plainJsonBody(req: IncomingMessage): boolean {
  const type = req.headers['content-type']?.toLowerCase();
  const length = req.headers['content-length'];
  return (
    type !== undefined &&
    JSON_TYPES.has(type) &&
    length !== undefined &&
    /^\d{1,5}$/.test(length) &&
    Number(length) <= MAX_BODY_BYTES &&
    req.headers['transfer-encoding'] === undefined &&
    req.headers['content-encoding'] === undefined
  );
}

/** What Nest's `res.status(200).json(body)` sends through Express 5's `res.send`. */
function sendJson(req: LaneRequest, res: ServerResponse, body: unknown, etag: EtagFn | undefined): void {
  const chunk = Buffer.from(JSON.stringify(body), 'utf8');
  req[METRICS_ROUTE] = (req as { url: string }).url;
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', String(chunk.length));
  const tag = etag?.(chunk, 'utf8');
  if (tag) res.setHeader('ETag', tag);
  res.end(chunk);
}

/**
 * The hold route as the lane was written for it: `POST /v1/reservations/hold`, status 200,
 * signed in (not public), no roles or scopes, no route guards, interceptors or pipes of its
 * own, rate-limited in the `hold` bucket. Any change there must be made in the lane too,
 * so start-up stops until it is. Returns the route's path.
 */
export function assertHoldRouteUnchanged(): string {
  const handler = ReservationsController.prototype.hold;
  const meta = (key: string, target: object = handler): unknown => Reflect.getMetadata(key, target);
  const path = `/${GLOBAL_PREFIX}/${String(meta(PATH_METADATA, ReservationsController))}/${String(meta(PATH_METADATA))}`;
  const expected: Array<[string, unknown, unknown]> = [
    ['path', path, '/v1/reservations/hold'],
    ['method', meta(METHOD_METADATA), RequestMethod.POST],
    ['status', meta(HTTP_CODE_METADATA), 200],
    ['rate limit', meta(RATE_LIMIT_BUCKET), 'hold'],
    ['idempotency', JSON.stringify(meta(IDEMPOTENCY_OPTIONS)), JSON.stringify({ required: true, mode: 'handler' })],
    ['guards', (meta(GUARDS_METADATA) as unknown[] | undefined)?.join(), IdempotencyKeyGuard.toString()],
  ];
  for (const [what, actual, wanted] of expected) {
    if (actual !== wanted)
      throw new Error(`The hold lane was written for a hold route with ${what} ${String(wanted)}, not ${String(actual)}`);
  }
  for (const key of [IS_PUBLIC, ROLES, SCOPES, SKIP_RATE_LIMIT, INTERCEPTORS_METADATA, PIPES_METADATA]) {
    if (meta(key) !== undefined)
      throw new Error(`The hold route has ${key} metadata the hold lane does not apply: update src/hold-lane.ts`);
  }
  for (const key of [IS_PUBLIC, ROLES, SCOPES, SKIP_RATE_LIMIT, GUARDS_METADATA, INTERCEPTORS_METADATA, PIPES_METADATA]) {
    if (meta(key, ReservationsController) !== undefined) {
      throw new Error(`ReservationsController has ${key} metadata the hold lane does not apply: update src/hold-lane.ts`);
    }
  }
  return path;
}
