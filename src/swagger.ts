import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorDetailDto, ErrorResponseDto } from '@holdfast/errors';
import { isApiPath, SEED_002_TAG } from './config/api-paths';
import { documentRateLimits } from './protection/rate-limit.decorators';

/** Builds the OpenAPI document from the routes' decorators. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Holdfast API')
    .setDescription(
      'Booking and checkout for mobile apps: hold what you want for 15 minutes, pay with Stripe, get a confirmed ' +
        'reservation.\n\nEvery error is `{ "error": "CODE", "message": "...", "details"?: [...], "requestId": "..." }`. ' +
        'Authorize with a bearer token (in dev mode, get one from `POST /v1/dev/token`).',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
    .addSecurityRequirements('bearer')
    .addTag('health', 'Liveness and readiness')
    .addTag('dev', 'Development helpers (dev mode only)')
    .addTag('catalog', 'Public browsing: offerings, prices and availability')
    .addTag('admin', 'Administration (admin role): catalog, inventory, refunds, audits')
    .addTag(
      SEED_002_TAG,
      "Seed 002's mobile app paths, served as the seed names them (under /api, not /v1), by the same services as " +
        'their /v1 counterparts: book a vehicle in one call, fetch it, unlock it, return it with proof',
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorResponseDto, ErrorDetailDto] });
  documentUnauthorized(document);
  documentRateLimits(document);
  documentUnavailable(document);
  return document;
}

/** The routes that never touch the database, so cannot answer 503 SERVICE_UNAVAILABLE. */
const NO_DATABASE = new Set(['/v1/dev/token']);

/**
 * Every API operation that reads or writes the database answers 503 SERVICE_UNAVAILABLE
 * with `Retry-After` while the database cannot be reached (the exception filter's
 * UNAVAILABLE_ERRORS): say so once, here.
 */
function documentUnavailable(document: OpenAPIObject): void {
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isApiPath(path) || NO_DATABASE.has(path)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const database = 'SERVICE_UNAVAILABLE: the database cannot be reached right now; retry after `Retry-After` seconds';
      const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } };
      const documented = operation.responses['503'] as { description?: string; headers?: object } | undefined;
      if (documented) {
        // The route has a 503 of its own (an integration down): the database's joins it.
        if (!documented.description?.includes('SERVICE_UNAVAILABLE')) {
          documented.description = `${documented.description ?? ''}; or ${database}`;
        }
        documented.headers = { ...documented.headers, ...retryAfter };
        continue;
      }
      operation.responses['503'] = {
        description: database,
        headers: retryAfter,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
      };
    }
  }
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/** Every operation that needs a token can answer 401 UNAUTHORIZED: say so once, here. */
function documentUnauthorized(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const isPublic = operation.security?.some((requirement) => Object.keys(requirement).length === 0);
      if (isPublic || operation.responses['401']) continue;
      operation.responses['401'] = {
        description: 'UNAUTHORIZED: no bearer token, or an invalid or expired one',
        content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponseDto' } } },
      };
    }
  }
}

/** Serves Swagger UI at /docs and the document at /docs-json. */
export function setupSwagger(app: INestApplication): OpenAPIObject {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'Holdfast API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
  });
  return document;
}
