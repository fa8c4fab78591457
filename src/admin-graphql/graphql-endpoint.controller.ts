import { Controller, HttpCode, Next, Post } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { NextFunction, Request, Response } from 'express';
import { AppError, ApiErrors } from '@holdfast/errors';
import { Roles } from '../auth/auth.decorators';
import { GRAPHQL_PATH } from '../config/api-paths';

export const GRAPHQL_TAG = 'admin-graphql';

/**
 * `POST /graphql` as a Nest route in front of Apollo's handler: the global guards run
 * on it as on any admin route (a bearer token, the admin role, the rate limit), and
 * their refusals are the REST envelope (401, 403, 429) before GraphQL reads anything,
 * introspection included. Allowed through, it hands the request on (`next()`) to
 * Apollo's handler for the same path, registered after the routes. Resolvers are
 * guarded again in GraphQL's context (admin role), so no field is reachable otherwise.
 */
@Roles('admin')
@ApiTags(GRAPHQL_TAG)
@Controller()
export class GraphqlEndpointController {
  @Post(GRAPHQL_PATH.slice(1))
  @HttpCode(200)
  @ApiOperation({
    summary: 'The admin GraphQL API (queries and mutations; the schema is schema.gql)',
    description:
      'One operation for the admin dashboard (DESIGN.md section 14). Send `{ "query": "...", "variables": {...} }` ' +
      'as `application/json`. The schema, generated from the code, is checked in as `schema.gql` at the ' +
      'repository root and described in docs/graphql.md; ' +
      'introspection is on except in production. Answers 200 with `data` and `errors[]` (each error with our code ' +
      'in `extensions.code`: RESERVATION_NOT_FOUND, INVALID_RENTAL_STATUS, VALIDATION_FAILED...), or 400 with ' +
      '`errors[]` for a query that cannot run (syntax, unknown field, over the depth or cost limit). No ' +
      '`X-Idempotency-Key`: mutations are decisions that apply once (a second verification or resolve is refused).',
  })
  @ApiBody({
    schema: {
      type: 'object',
      required: ['query'],
      properties: {
        query: { type: 'string', example: '{ activeRentals(page: { limit: 5 }) { rentals { id rentalStatus } } }' },
        variables: { type: 'object', additionalProperties: true },
        operationName: { type: 'string' },
      },
    },
  })
  @ApiOkResponse({
    description: 'The GraphQL response: `data`, and `errors[]` with `extensions.code` for fields that failed',
    schema: {
      type: 'object',
      properties: {
        data: { type: 'object', additionalProperties: true, nullable: true },
        errors: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              message: { type: 'string' },
              path: { type: 'array', items: { type: 'string' } },
              extensions: {
                type: 'object',
                properties: { code: { type: 'string', example: 'RESERVATION_NOT_FOUND' }, status: { type: 'integer' } },
              },
            },
          },
        },
      },
    },
  })
  @ApiErrors('VALIDATION_FAILED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE')
  handOn(@Next() next: NextFunction): void {
    next();
  }
}

/**
 * Express middleware for the GraphQL path (app.setup.ts): only POST is served. Apollo
 * would also answer GET, which would skip the route above and its guards.
 */
export function onlyPostToGraphql(req: Request, _res: Response, next: NextFunction): void {
  if (req.method === 'POST') return next();
  next(new AppError('NOT_FOUND', 'No route or resource matches this request'));
}
