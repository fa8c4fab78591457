import { type DynamicModule, Global, Module, type Provider } from '@nestjs/common';
import { AppConfig } from './app-config';
import { configSlices, type ConfigSlices } from './config-slices';

/**
 * Makes each module's config slice injectable everywhere, by its class (`PaymentsConfig`,
 * `AuthConfig`...), each provided once from the validated environment. The flat AppConfig
 * is provided too, for bootstrapping code only (main.ts, app.setup.ts, src/cli): modules
 * inject their slice (test/architecture.e2e-spec.ts checks).
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, slices: ConfigSlices = configSlices(config)): DynamicModule {
    const providers: Provider[] = [
      { provide: AppConfig, useValue: config },
      ...Object.values(slices).map((slice) => ({ provide: slice.constructor, useValue: slice })),
    ];
    return { module: ConfigModule, providers, exports: [AppConfig, ...Object.values(slices).map((slice) => slice.constructor)] };
  }
}
