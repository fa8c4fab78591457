var __decorate = (this && this.__decorate) || function (decorators, target, key, desc) {
    var c = arguments.length, r = c < 3 ? target : desc === null ? desc = Object.getOwnPropertyDescriptor(target, key) : desc, d;
    if (typeof Reflect === "object" && typeof Reflect.decorate === "function") r = Reflect.decorate(decorators, target, key, desc);
    else for (var i = decorators.length - 1; i >= 0; i--) if (d = decorators[i]) r = (c < 3 ? d(r) : c > 3 ? d(target, key, r) : d(target, key)) || r;
    return c > 3 && r && Object.defineProperty(target, key, r), r;
};
var __metadata = (this && this.__metadata) || function (k, v) {
    if (typeof Reflect === "object" && typeof Reflect.metadata === "function") return Reflect.metadata(k, v);
};
import { HttpStatus, Injectable, RequestMethod, } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { from, lastValueFrom } from 'rxjs';
import { AppError } from '../../errors/src/index.js';
import { IDEMPOTENCY_HEADER, IDEMPOTENCY_OPTIONS } from './idempotency.options.js';
import { IdempotencyService } from './idempotency.service.js';
import { requestHash } from './request-hash.js';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** Where `handler` mode leaves the request's key for `@IdempotencyKey()`. */
export const IDEMPOTENT_REQUEST = Symbol('holdfast:idempotent-request');
/**
 * Reads and checks `X-Idempotency-Key` on an `@Idempotent()` route and runs the handler
 * in the route's mode (see IdempotencyService): `atomic`, `stepwise`, or `handler`, where
 * the handler gets the key through `@IdempotencyKey()` and keeps it itself.
 */
let IdempotencyInterceptor = class IdempotencyInterceptor {
    constructor(reflector, idempotency) {
        this.reflector = reflector;
        this.idempotency = idempotency;
    }
    intercept(context, next) {
        const routeOptions = this.reflector.get(IDEMPOTENCY_OPTIONS, context.getHandler());
        const req = context.switchToHttp().getRequest();
        const res = context.switchToHttp().getResponse();
        const header = req.headers[IDEMPOTENCY_HEADER];
        const key = Array.isArray(header) ? header[0] : header;
        if (key === undefined || key === '') {
            if (routeOptions?.required || routeOptions?.mode === 'handler') {
                throw new AppError('IDEMPOTENCY_KEY_REQUIRED', 'The X-Idempotency-Key header is required on this route');
            }
            return next.handle();
        }
        if (!KEY_PATTERN.test(key)) {
            throw new AppError('VALIDATION_FAILED', 'X-Idempotency-Key must be 1 to 255 printable characters', [
                { field: 'X-Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters without spaces' },
            ]);
        }
        const routePath = req.route?.path ?? req.path;
        const keyed = {
            scope: `${req.user?.sub ?? 'anonymous'}|${req.method} ${routePath}`,
            key,
            hash: requestHash(req.params, req.body),
            successStatus: this.reflector.get(HTTP_CODE_METADATA, context.getHandler()) ??
                (req.method === RequestMethod[RequestMethod.POST] ? HttpStatus.CREATED : HttpStatus.OK),
            res,
        };
        const handler = () => lastValueFrom(next.handle(), { defaultValue: undefined });
        switch (routeOptions?.mode ?? 'atomic') {
            case 'handler':
                req[IDEMPOTENT_REQUEST] = keyed;
                return next.handle();
            case 'stepwise':
                return from(this.idempotency.stepwise(keyed, handler));
            case 'atomic':
                return from(this.idempotency.atomic(keyed, handler));
        }
    }
};
IdempotencyInterceptor = __decorate([
    Injectable(),
    __metadata("design:paramtypes", [Reflector,
        IdempotencyService])
], IdempotencyInterceptor);
export { IdempotencyInterceptor };
//# sourceMappingURL=idempotency.interceptor.js.map