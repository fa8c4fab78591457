import { describe, expect, it } from '@jest/globals';
import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { AuthUser } from './auth-user';
import { requestOf, Roles } from './auth.decorators';
import { RolesGuard } from './auth.guards';

@Roles('admin')
class AdminResolver {
  field(): void {}
}

/** A resolver call's context as Nest builds it: (root, args, GraphQL context, info), type `graphql`. */
function graphqlContext(user?: AuthUser): ExecutionContext {
  const args = [undefined, {}, { req: { headers: {}, user }, res: {} }, {}];
  return {
    getType: () => 'graphql',
    getArgByIndex: (i: number) => args[i],
    getArgs: () => args,
    getHandler: () => AdminResolver.prototype.field,
    getClass: () => AdminResolver,
    switchToHttp: () => {
      throw new Error('a resolver has no HTTP arguments: read the request from the GraphQL context');
    },
  } as unknown as ExecutionContext;
}

/** The code of the error `fn` throws, or null when it throws nothing. */
function refusal(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return (error as { code?: string }).code ?? String(error);
  }
}

describe('guards in GraphQL context', () => {
  const guard = new RolesGuard(new Reflector());

  it("reads the request from the resolver's GraphQL context", () => {
    const user = { sub: 'ops', roles: ['admin'] } as AuthUser;
    expect(requestOf(graphqlContext(user)).user).toBe(user);
  });

  it('lets an admin through and refuses anyone else with FORBIDDEN, or UNAUTHORIZED without a user', () => {
    expect(guard.canActivate(graphqlContext({ sub: 'ops', roles: ['admin'] } as AuthUser))).toBe(true);
    expect(refusal(() => guard.canActivate(graphqlContext({ sub: 'eve', roles: ['staff'] } as AuthUser)))).toBe('FORBIDDEN');
    expect(refusal(() => guard.canActivate(graphqlContext()))).toBe('UNAUTHORIZED');
  });
});
