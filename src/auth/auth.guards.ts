import { type ExecutionContext, Injectable, type CanActivate } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { AppError } from '@holdfast/errors';
import type { AuthUser } from './auth-user';
import { IS_PUBLIC, requestOf, ROLES, SCOPES } from './auth.decorators';
import { VerifiedTokens } from './verified-tokens';

/** The token of an `Authorization: Bearer <token>` header, as passport-jwt reads it; null otherwise. */
export function bearerToken(header: unknown): string | null {
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * Global guard: every route needs a valid bearer token unless marked `@Public()`. A
 * token verified in the last minute (and not expired) is not verified again (see
 * VerifiedTokens): the signature check and passport's machinery were a tenth of a
 * hold's CPU.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard('jwt') {
  constructor(
    private readonly reflector: Reflector,
    private readonly verified: VerifiedTokens,
  ) {
    super();
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, [context.getHandler(), context.getClass()]);
    if (isPublic) return true;
    const req = requestOf(context);
    const token = bearerToken(req.headers.authorization);
    const known = token === null ? undefined : this.verified.get(token);
    if (known) {
      req.user = known;
      return true;
    }
    const allowed = (await super.canActivate(context)) as boolean;
    if (allowed && token !== null && req.user) this.verified.remember(token, req.user);
    return allowed;
  }

  /** passport reads the request (and response) through these: a resolver's are in its GraphQL context. */
  override getRequest(context: ExecutionContext): { headers: Record<string, unknown>; user?: AuthUser } {
    return requestOf(context);
  }

  getResponse(context: ExecutionContext): unknown {
    if (context.getType<string>() === 'graphql') return (context.getArgByIndex(2) as { res: unknown }).res;
    return context.switchToHttp().getResponse();
  }

  override handleRequest<TUser>(error: unknown, user: TUser | false): TUser {
    if (error || !user) throw new AppError('UNAUTHORIZED', 'A valid bearer token is required');
    return user;
  }
}

/**
 * Global guard: enforces `@Roles(...)` and `@Scopes(...)`. Runs after JwtAuthGuard. A
 * route with roles only needs every role (as ever); with scopes too, every role OR any
 * one of the scopes; with scopes only, one of the scopes.
 */
@Injectable()
export class RolesGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const targets = [context.getHandler(), context.getClass()];
    const roles = this.reflector.getAllAndOverride<string[] | undefined>(ROLES, targets) ?? [];
    const scopes = this.reflector.getAllAndOverride<string[] | undefined>(SCOPES, targets) ?? [];
    if (roles.length === 0 && scopes.length === 0) return true;
    const user = requestOf(context).user;
    if (!user) throw new AppError('UNAUTHORIZED', 'A valid bearer token is required');
    const hasRoles = roles.length > 0 && roles.every((role) => user.roles.includes(role));
    const hasScope = scopes.some((scope) => user.scopes?.includes(scope) ?? false);
    if (hasRoles || hasScope) return true;
    const needs = [roles.length ? `the ${roles.join(', ')} role` : '', scopes.length ? `the scope ${scopes.join(' or ')}` : '']
      .filter(Boolean)
      .join(' or ');
    throw new AppError('FORBIDDEN', `This needs ${needs}`);
  }
}
