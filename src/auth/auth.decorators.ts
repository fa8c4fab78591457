import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiSecurity } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import type { AuthUser } from './auth-user';

export interface GuardedRequest {
  headers: Record<string, unknown>;
  user?: AuthUser;
}

/**
 * The HTTP request behind a call: a route's, or a GraphQL resolver's (its context is
 * `{ req, res }`, as the admin GraphQL module builds it; GqlExecutionContext reads the
 * same third argument).
 */
export function requestOf<T = GuardedRequest>(context: ExecutionContext): T {
  if (context.getType<string>() === 'graphql') return (context.getArgByIndex(2) as { req: T }).req;
  return context.switchToHttp().getRequest<T>();
}

export const IS_PUBLIC = 'holdfast:public';
export const ROLES = 'holdfast:roles';
export const SCOPES = 'holdfast:scopes';

/**
 * Opts a route (or controller) out of the global bearer-token guard; in OpenAPI the
 * operation's security becomes `[{}]` (no credentials needed).
 */
export const Public = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(IS_PUBLIC, true), ApiSecurity({})) as MethodDecorator & ClassDecorator;

/** Requires every listed role; a signed-in user without one gets 403 FORBIDDEN (documented too). */
export const Roles = (...roles: string[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(ROLES, roles), ApiErrors('FORBIDDEN')) as MethodDecorator & ClassDecorator;

/**
 * Lets a token carrying any of these OAuth scopes (a machine client's, e.g.
 * `holdfast/analytics.read`) call a route as well: with `@Roles('admin')` on the same
 * route, a caller passes with the roles OR one of the scopes. Without `@Roles` it
 * requires one of the scopes (403 FORBIDDEN otherwise).
 */
export const Scopes = (...scopes: string[]): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(SCOPES, scopes), ApiErrors('FORBIDDEN')) as MethodDecorator & ClassDecorator;

/** The signed-in user of the request. */
export const CurrentUser = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthUser => {
  return requestOf<{ user: AuthUser }>(ctx).user;
});
