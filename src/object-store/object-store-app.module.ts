import { Module } from '@nestjs/common';
import { ObjectStoreModule, S3ObjectStore, type ObjectStore, type ObjectStoreOptions } from '@holdfast/object-store';
import { IntegrationsModule } from '../integrations/integrations.module';
import { IntegrationsService } from '../integrations/integrations.service';
import { ObjectStoreConfig } from './object-store.config';

/**
 * The app's object store (libs/object-store), chosen by OBJECT_STORE: files under
 * OBJECT_STORE_DIR, or the S3 bucket, registered as the `object_store` integration (its
 * requests and breaker in the `integration_*` metrics and GET /v1/admin/integrations).
 * Global once imported by the app module: a module injects `@Inject(OBJECT_STORE) store:
 * ObjectStore` (both from `@holdfast/object-store`) without importing anything.
 */
@Module({
  imports: [
    ObjectStoreModule.forRootAsync({
      imports: [IntegrationsModule],
      inject: [ObjectStoreConfig, IntegrationsService],
      useFactory: (config: ObjectStoreConfig, integrations: IntegrationsService) => objectStore(config, integrations),
    }),
  ],
})
export class ObjectStoreAppModule {}

function objectStore(config: ObjectStoreConfig, integrations: IntegrationsService): ObjectStore | ObjectStoreOptions {
  if (config.s3 === null) return { kind: 'local', root: config.localDir };
  const s3 = config.s3;
  let store: S3ObjectStore | null = null;
  const observer = integrations.track({ name: 'object_store', kind: 'storage' }, () => store?.breakerState ?? 'closed');
  store = new S3ObjectStore({
    bucket: s3.bucket,
    region: s3.region,
    endpoint: s3.endpoint ?? undefined,
    credentials: s3.credentials ?? undefined,
    encryption:
      s3.encryption === 'aws:kms' ? { algorithm: 'aws:kms', kmsKeyId: s3.kmsKeyId ?? undefined } : { algorithm: 'AES256' },
    requestTimeoutMs: s3.timeoutMs,
    observer,
  });
  return store;
}
