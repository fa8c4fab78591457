import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Inject, Logger, Optional } from '@nestjs/common';
import type { Request, Response } from 'express';
import { GraphQLError } from 'graphql';
import { AppError, type ErrorDetail } from './app-error';
import { ERROR_STATUS, type ErrorCode } from './error-codes';
import { redactUrl } from './redact-url';

interface Rendered {
  status: number;
  code: ErrorCode;
  message: string;
  details?: ErrorDetail[];
  /** Sent as `Retry-After` (seconds). */
  retryAfterSeconds?: number;
}

/**
 * Provide a predicate under this token to answer the errors it recognises as a
 * temporary outage (the database unreachable, say) with 503 SERVICE_UNAVAILABLE and
 * `Retry-After`, instead of 500 INTERNAL_ERROR: the client may retry, with the same
 * idempotency key, and no one is paged for a bug.
 */
export const UNAVAILABLE_ERRORS = Symbol('holdfast:unavailable-errors');
export type UnavailablePredicate = (error: unknown) => boolean;

/** How long a client should wait before retrying after a 503 (seconds). */
const UNAVAILABLE_RETRY_AFTER_SECONDS = 2;

/** Maps a status Nest or Express chose to the nearest code of ours. */
const CODE_FOR_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'RATE_LIMITED',
};

/** Errors raised by Express middleware (body-parser) before a route runs. */
interface MiddlewareError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** An error raised while reading the request: body-parser's (a `type` such as `entity.parse.failed`) or a bad path encoding. */
function isRequestReadError(error: unknown): boolean {
  if (error instanceof URIError) return true;
  const mw = error as MiddlewareError | null;
  return typeof mw === 'object' && mw !== null && typeof mw.type === 'string' && typeof mw.status === 'number';
}

/**
 * The single place where an exception becomes an HTTP response. Every response it
 * writes is the envelope `{ error, message, details?, requestId }`; a 500 never
 * carries the exception's own text, which may hold SQL or a stack.
 */
@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Exceptions');

  constructor(@Optional() @Inject(UNAVAILABLE_ERRORS) private readonly isUnavailable?: UnavailablePredicate) {}

  catch(exception: unknown, host: ArgumentsHost): GraphQLError | undefined {
    if (host.getType<string>() === 'graphql') return this.graphqlError(exception, host);
    const http = host.switchToHttp();
    const req = http.getRequest<Request & { id?: string }>();
    const res = http.getResponse<Response>();
    const rendered = this.render(exception);
    const requestId = String(req.id ?? req.headers['x-request-id'] ?? '');

    if (rendered.status >= 500) {
      const url = redactUrl(req.originalUrl);
      this.logger.error({ err: exception, requestId, method: req.method, url }, `Unhandled error on ${req.method} ${url}`);
    }
    if (res.headersSent) return undefined;
    if (rendered.retryAfterSeconds !== undefined) res.setHeader('Retry-After', String(rendered.retryAfterSeconds));
    res.status(rendered.status).json({
      error: rendered.code,
      message: rendered.message,
      ...(rendered.details ? { details: rendered.details } : {}),
      requestId,
    });
    return undefined;
  }

  /**
   * A resolver's error, for GraphQL's `errors[]` (DESIGN.md section 6): the same code
   * and message as the REST envelope, the code in `extensions.code` (and the status it
   * would have had), never the exception's own text for a 500. Returned, not thrown:
   * a resolver's result that is an error becomes one entry of `errors[]`.
   */
  private graphqlError(exception: unknown, host: ArgumentsHost): GraphQLError {
    if (exception instanceof GraphQLError) return exception;
    const rendered = this.render(exception);
    const req = (host.getArgByIndex(2) as { req?: Request & { id?: string } } | undefined)?.req;
    const requestId = String(req?.id ?? req?.headers['x-request-id'] ?? '');
    if (rendered.status >= 500) {
      this.logger.error({ err: exception, requestId, method: 'POST', url: '/graphql' }, 'Unhandled error in a GraphQL resolver');
    }
    return new GraphQLError(rendered.message, {
      extensions: {
        code: rendered.code,
        status: rendered.status,
        ...(rendered.details ? { details: rendered.details } : {}),
        ...(rendered.retryAfterSeconds !== undefined ? { retryAfterSeconds: rendered.retryAfterSeconds } : {}),
        requestId,
      },
    });
  }

  private render(exception: unknown): Rendered {
    // Nest wraps the errors of Express and its body parsers in an HttpException whose
    // message is theirs (the JSON parser's quotes the body): render the original instead.
    if (exception instanceof HttpException && isRequestReadError(exception.cause)) return this.render(exception.cause);
    if (exception instanceof URIError) {
      return { status: 400, code: 'VALIDATION_FAILED', message: 'The request path is not valid' };
    }
    if (exception instanceof AppError) {
      return {
        status: exception.status,
        code: exception.code,
        message: exception.message,
        details: exception.details,
        ...(exception.retryAfterSeconds !== undefined
          ? { retryAfterSeconds: Math.max(1, Math.ceil(exception.retryAfterSeconds)) }
          : {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const code = CODE_FOR_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_FAILED');
      const message = status >= 500 ? 'An unexpected error occurred' : this.httpMessage(exception, status);
      return { status: status >= 500 ? ERROR_STATUS.INTERNAL_ERROR : status, code, message };
    }
    const mw = exception as MiddlewareError | null;
    if (mw && typeof mw === 'object' && mw.type === 'entity.parse.failed') {
      return { status: 400, code: 'VALIDATION_FAILED', message: 'The request body is not valid JSON' };
    }
    if (mw && typeof mw === 'object' && mw.type === 'entity.too.large') {
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'The request body is too large' };
    }
    if (mw && typeof mw === 'object' && mw.expose && typeof mw.status === 'number' && mw.status < 500) {
      const code = CODE_FOR_STATUS[mw.status] ?? 'VALIDATION_FAILED';
      return { status: mw.status, code, message: 'The request could not be read' };
    }
    if (this.isUnavailable?.(exception)) {
      return {
        status: ERROR_STATUS.SERVICE_UNAVAILABLE,
        code: 'SERVICE_UNAVAILABLE',
        message: 'The booking database cannot be reached right now; retry shortly (with the same X-Idempotency-Key)',
        retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
      };
    }
    return { status: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' };
  }

  private httpMessage(exception: HttpException, status: number): string {
    if (status === 404) return 'No route or resource matches this request';
    if (status === 401) return 'A valid bearer token is required';
    if (status === 403) return 'You are not allowed to do this';
    if (status === 413) return 'The request body is too large';
    const response = exception.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    if (typeof message === 'string') return message;
    if (Array.isArray(message)) return message.join('; ');
    return exception.message;
  }
}
