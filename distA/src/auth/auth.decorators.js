import { applyDecorators, createParamDecorator, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiErrors } from '../../libs/errors/src/index.js';
export const IS_PUBLIC = 'holdfast:public';
export const ROLES = 'holdfast:roles';
/**
 * Opts a route (or controller) out of the global bearer-token guard; in OpenAPI the
 * operation's security becomes `[{}]` (no credentials needed).
 */
export const Public = () => applyDecorators(SetMetadata(IS_PUBLIC, true), ApiSecurity({}));
/** Requires every listed role; a signed-in user without one gets 403 FORBIDDEN (documented too). */
export const Roles = (...roles) => applyDecorators(SetMetadata(ROLES, roles), ApiErrors('FORBIDDEN'));
/** The signed-in user of the request. */
export const CurrentUser = createParamDecorator((_data, ctx) => {
    return ctx.switchToHttp().getRequest().user;
});
//# sourceMappingURL=auth.decorators.js.map