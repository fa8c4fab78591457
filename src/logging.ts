import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { stdSerializers } from 'pino';
import { REDACTED, redactUrl } from '@holdfast/errors';
import type { LoggingConfig } from './logging.config';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** Fields redacted from every log line, at the top level of a log call's object or one level down. */
const SENSITIVE_KEYS = [
  'authorization',
  'password',
  'cardNumber',
  'card',
  'cvc',
  'guestEmail',
  'guestPhone',
  'email',
  'phone',
  'clientSecret',
  'paymentClientSecret',
];

/**
 * Paths pino must never write: credentials, card data, and guests' contact details.
 * Request and response bodies are not logged at all; these cover headers and any
 * object a log call passes. A bare key matches only the top level and `*.key` only
 * one level down, so both are listed.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'res.headers["set-cookie"]',
  ...SENSITIVE_KEYS,
  ...SENSITIVE_KEYS.map((key) => `*.${key}`),
  // A QueryFailedError carries the statement's bound values: guest data, often.
  'err.parameters',
  // PostgreSQL's `detail` quotes row values ("Key (email)=(...) already exists."); TypeORM
  // copies it onto the QueryFailedError and keeps it on driverError; a wrapping error has it on cause.
  'err.detail',
  'err.driverError.detail',
  'err.cause.detail',
  'err.cause.driverError.detail',
];

/**
 * The request's id: X-Request-Id when it is well-formed, else a new UUID. Set once on
 * `req.id` and as the response's X-Request-Id header; later calls return the same id.
 * createApp runs it first thing for every request (`requestIdMiddleware`), so a request
 * refused before the logger's middleware (a body the parser refuses, a 404 outside
 * /v1) still carries it; pino-http keeps an id already set.
 */
export function requestIdOf(req: IncomingMessage & { id?: unknown }, res: ServerResponse): string {
  if (typeof req.id === 'string') return req.id;
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  req.id = id;
  res.setHeader('X-Request-Id', id);
  return id;
}

/** Express middleware: gives every request its id (see requestIdOf). Mount it before any other. */
export function requestIdMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  requestIdOf(req, res);
  next();
}

/** The access line's level: error for 5xx (and a failed response), warn for 4xx, info otherwise. */
export function accessLogLevel(_req: IncomingMessage, res: ServerResponse, error?: Error): 'error' | 'warn' | 'info' {
  return error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
}

/** Structured JSON request logs, with the request id taken from X-Request-Id or made up. */
export function loggerParams(config: LoggingConfig): Params {
  return {
    pinoHttp: {
      level: config.level,
      redact: { paths: REDACTED_PATHS, censor: REDACTED },
      genReqId: requestIdOf,
      customLogLevel: accessLogLevel,
      // Probes and scrapes arrive every few seconds; their failures show in Kubernetes and Prometheus (`up`).
      autoLogging: { ignore: (req) => /^\/(health|metrics)(\/|\?|$)/.test(req.url ?? '') },
      // Our own serializers, unwrapped: pino-http's wrappers first build the full standard
      // request object (headers, addresses) for every request's child logger, even when
      // nothing is logged, only for `req` to keep three fields of it.
      wrapSerializers: false,
      serializers: {
        req: (req: IncomingMessage & { id?: string; originalUrl?: string }) => ({
          id: req.id,
          method: req.method,
          url: redactUrl(req.originalUrl ?? req.url ?? ''), // ?access_token=... and the like: [redacted]
        }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode, headers: res.getHeaders() }),
        err: stdSerializers.err,
      },
      ...(config.pretty ? { transport: { target: 'pino-pretty', options: { singleLine: true } } } : {}),
    },
  };
}
