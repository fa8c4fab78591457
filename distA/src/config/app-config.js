import { EnvironmentVariables } from './env.schema.js';
/**
 * The validated configuration, injectable by class: `constructor(private readonly config: AppConfig)`.
 * Built once at boot by `validateEnv`; never read `process.env` elsewhere.
 */
export class AppConfig extends EnvironmentVariables {
}
export function createAppConfig(env, databaseUrl, embeddedDatabase) {
    return Object.freeze(Object.assign(Object.create(AppConfig.prototype), env, { databaseUrl, embeddedDatabase }));
}
//# sourceMappingURL=app-config.js.map