export * from './object-store';
export { InvalidObjectKeyError, MAX_KEY_LENGTH, assertObjectKey } from './object-key';
export { ObjectStoreError, type ObjectStoreFailure } from './object-store.errors';
export { DEFAULT_LOCAL_ROOT, LocalObjectStore, type LocalObjectStoreOptions } from './local-object-store';
export { S3ObjectStore, type S3Encryption, type S3ObjectStoreOptions } from './s3-object-store';
export {
  ObjectStoreModule,
  createObjectStore,
  type ObjectStoreModuleAsyncOptions,
  type ObjectStoreOptions,
} from './object-store.module';
