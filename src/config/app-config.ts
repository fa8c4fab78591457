import { EnvironmentVariables } from './env.schema';

/**
 * The validated configuration, injectable by class: `constructor(private readonly config: AppConfig)`.
 * Built once at boot by `validateEnv`; never read `process.env` elsewhere.
 */
export abstract class AppConfig extends EnvironmentVariables {
  /** The database URL in use: DATABASE_URL, or the embedded server's. */
  abstract readonly databaseUrl: string;
  /** True when the database is the embedded one `npm start` started. */
  abstract readonly embeddedDatabase: boolean;
}

export function createAppConfig(env: EnvironmentVariables, databaseUrl: string, embeddedDatabase: boolean): AppConfig {
  return Object.freeze(Object.assign(Object.create(AppConfig.prototype) as AppConfig, env, { databaseUrl, embeddedDatabase }));
}
