import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { LocalObjectStore, type LocalObjectStoreOptions } from './local-object-store';
import { OBJECT_STORE, type ObjectStore } from './object-store';
import { S3ObjectStore, type S3ObjectStoreOptions } from './s3-object-store';

/** Which store, and its settings: local disk (development, tests) or an S3-compatible bucket. */
export type ObjectStoreOptions = ({ kind: 'local' } & LocalObjectStoreOptions) | ({ kind: 's3' } & S3ObjectStoreOptions);

/** The store `options` describe. */
export function createObjectStore(options: ObjectStoreOptions): LocalObjectStore | S3ObjectStore {
  if (options.kind === 'local') return new LocalObjectStore(options);
  return new S3ObjectStore(options);
}

export interface ObjectStoreModuleAsyncOptions {
  /** Modules whose exported providers the factory injects (e.g. the app's IntegrationsModule). */
  imports?: DynamicModule['imports'];
  /** Providers the factory reads (e.g. the app's config slice, IntegrationsService). */
  inject?: (string | symbol | (abstract new (...args: never[]) => unknown))[];
  /** The store's options, or a store already built (to keep a handle on it, e.g. its breaker state). */
  useFactory: (...args: never[]) => ObjectStoreOptions | ObjectStore | Promise<ObjectStoreOptions | ObjectStore>;
}

/**
 * Provides the ObjectStore under OBJECT_STORE, globally: import it once (the app module),
 * then any module injects `@Inject(OBJECT_STORE) store: ObjectStore`. Closes the S3 client's
 * sockets at shutdown.
 */
@Global()
@Module({})
export class ObjectStoreModule implements OnApplicationShutdown {
  constructor(@Inject(OBJECT_STORE) private readonly store: ObjectStore) {}

  static forRootAsync(options: ObjectStoreModuleAsyncOptions): DynamicModule {
    const useFactory = options.useFactory as (...args: unknown[]) => Promise<ObjectStoreOptions | ObjectStore>;
    return {
      module: ObjectStoreModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: OBJECT_STORE,
          inject: options.inject ?? [],
          useFactory: async (...args: unknown[]) => {
            const made = await useFactory(...args);
            return 'put' in made ? made : createObjectStore(made);
          },
        },
      ],
      exports: [OBJECT_STORE],
    };
  }

  static forRoot(options: ObjectStoreOptions): DynamicModule {
    return ObjectStoreModule.forRootAsync({ useFactory: () => options });
  }

  onApplicationShutdown(): void {
    if (this.store instanceof S3ObjectStore) this.store.destroy();
  }
}
