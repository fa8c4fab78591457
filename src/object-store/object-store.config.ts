import type { AppConfig } from '../config/app-config';

/** The bucket's settings (OBJECT_STORE=s3). */
export interface S3StoreSettings {
  /** S3_ENDPOINT: an S3-compatible endpoint (path-style); null: AWS S3. */
  readonly endpoint: string | null;
  readonly region: string;
  readonly bucket: string;
  /** S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY; null: the AWS SDK's default credentials (an IAM role). */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | null;
  /** S3_SSE and S3_SSE_KMS_KEY_ID: the server-side encryption every write asks for. */
  readonly encryption: 'AES256' | 'aws:kms';
  readonly kmsKeyId: string | null;
  /** S3_TIMEOUT_MS: per HTTP request to the bucket. */
  readonly timeoutMs: number;
}

/** What the object store's wiring reads from the validated environment (src/config/config-slices.ts provides it). */
export class ObjectStoreConfig {
  /** OBJECT_STORE: `local` (files, development) or `s3` (required with NODE_ENV=production). */
  readonly kind: 'local' | 's3';
  /** OBJECT_STORE_DIR: the local store's directory. */
  readonly localDir: string;
  /** The bucket, with OBJECT_STORE=s3; null otherwise. */
  readonly s3: S3StoreSettings | null;

  constructor(env: AppConfig) {
    this.kind = env.OBJECT_STORE as ObjectStoreConfig['kind'];
    this.localDir = env.OBJECT_STORE_DIR;
    this.s3 =
      this.kind === 's3'
        ? Object.freeze({
            endpoint: env.S3_ENDPOINT ?? null,
            region: env.S3_REGION,
            bucket: env.S3_BUCKET!, // validated present with OBJECT_STORE=s3
            credentials:
              env.S3_ACCESS_KEY_ID !== undefined && env.S3_SECRET_ACCESS_KEY !== undefined
                ? Object.freeze({ accessKeyId: env.S3_ACCESS_KEY_ID, secretAccessKey: env.S3_SECRET_ACCESS_KEY })
                : null,
            encryption: env.S3_SSE as S3StoreSettings['encryption'],
            kmsKeyId: env.S3_SSE_KMS_KEY_ID ?? null,
            timeoutMs: env.S3_TIMEOUT_MS,
          })
        : null;
  }
}
