var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
import { Catch, HttpException, Logger } from '@nestjs/common';
import { AppError } from './app-error.js';
import { ERROR_STATUS } from './error-codes.js';
/** Maps a status Nest or Express chose to the nearest code of ours. */
const CODE_FOR_STATUS = {
    400: 'VALIDATION_FAILED',
    401: 'UNAUTHORIZED',
    403: 'FORBIDDEN',
    404: 'NOT_FOUND',
    405: 'NOT_FOUND',
    413: 'PAYLOAD_TOO_LARGE',
    429: 'RATE_LIMITED',
};
/**
 * The single place where an exception becomes an HTTP response. Every response it
 * writes is the envelope `{ error, message, details?, requestId }`; a 500 never
 * carries the exception's own text, which may hold SQL or a stack.
 */
let AllExceptionsFilter = class AllExceptionsFilter {
    constructor() {
        this.logger = new Logger('Exceptions');
    }
    catch(exception, host) {
        const http = host.switchToHttp();
        const req = http.getRequest();
        const res = http.getResponse();
        const rendered = this.render(exception);
        const requestId = String(req.id ?? req.headers['x-request-id'] ?? '');
        if (rendered.status >= 500) {
            this.logger.error({ err: exception, requestId, method: req.method, url: req.originalUrl }, `Unhandled error on ${req.method} ${req.originalUrl}`);
        }
        if (res.headersSent)
            return;
        res.status(rendered.status).json({
            error: rendered.code,
            message: rendered.message,
            ...(rendered.details ? { details: rendered.details } : {}),
            requestId,
        });
    }
    render(exception) {
        if (exception instanceof AppError) {
            return { status: exception.status, code: exception.code, message: exception.message, details: exception.details };
        }
        if (exception instanceof HttpException) {
            const status = exception.getStatus();
            const code = CODE_FOR_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'VALIDATION_FAILED');
            const message = status >= 500 ? 'An unexpected error occurred' : this.httpMessage(exception, status);
            return { status: status >= 500 ? ERROR_STATUS.INTERNAL_ERROR : status, code, message };
        }
        const mw = exception;
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
        return { status: 500, code: 'INTERNAL_ERROR', message: 'An unexpected error occurred' };
    }
    httpMessage(exception, status) {
        if (status === 404)
            return 'No route or resource matches this request';
        if (status === 401)
            return 'A valid bearer token is required';
        if (status === 403)
            return 'You are not allowed to do this';
        if (status === 413)
            return 'The request body is too large';
        const response = exception.getResponse();
        if (typeof response === 'string')
            return response;
        const message = response.message;
        if (typeof message === 'string')
            return message;
        if (Array.isArray(message))
            return message.join('; ');
        return exception.message;
    }
};
AllExceptionsFilter = __decorate([
    Catch()
], AllExceptionsFilter);
export { AllExceptionsFilter };
//# sourceMappingURL=all-exceptions.filter.js.map