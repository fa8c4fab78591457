import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { createValidationPipe } from '../libs/errors/src/index.js';
import { AppModule } from './app.module.js';
import { HttpMetrics } from './metrics/http-metrics.js';
import { applyHttpProtection, trustProxy } from './protection/http-protection.js';
import { setupSwagger } from './swagger.js';
export const BODY_LIMIT = '1mb';
/**
 * Creates the app exactly as production runs it (prefix, pipes, body limits, Swagger,
 * shutdown hooks). main.ts and the e2e tests both call this, so tests exercise the real setup.
 */
export async function createApp(config, extraImports = []) {
    const app = await NestFactory.create(AppModule.forRoot(config, extraImports), {
        bufferLogs: true,
        rawBody: true,
        bodyParser: false,
    });
    app.useLogger(app.get(Logger));
    app.use(app.get(HttpMetrics).middleware); // first, so it counts every request: 404s and refused bodies too
    app.useBodyParser('json', { limit: BODY_LIMIT });
    app.useBodyParser('urlencoded', { limit: BODY_LIMIT, extended: false });
    app.setGlobalPrefix('v1', { exclude: ['health/live', 'health/ready', 'metrics'] });
    app.useGlobalPipes(createValidationPipe());
    app.disable('x-powered-by');
    app.set('trust proxy', trustProxy(config.TRUST_PROXY));
    applyHttpProtection(app, config); // before Swagger, so /docs gets the security headers too
    setupSwagger(app);
    return app;
}
//# sourceMappingURL=app.setup.js.map