import {
  DeleteObjectCommand,
  GetObjectCommand,
  S3Client,
  type ServerSideEncryption,
  type PutObjectCommandInput,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import {
  BreakerOpenError,
  createIntegrationPolicy,
  IntegrationTimeoutError,
  type BreakerState,
  type IntegrationObserver,
  type IntegrationPolicy,
} from '@holdfast/resilience';
import { feed } from './digest-meter';
import { assertObjectKey } from './object-key';
import type { ObjectStore, PutOptions, StoredObject } from './object-store';
import { ObjectStoreError, type ObjectStoreFailure } from './object-store.errors';

/** Server-side encryption: S3-managed keys (SSE-S3), or KMS keys (SSE-KMS, with an optional key id). */
export type S3Encryption = { algorithm: 'AES256' } | { algorithm: 'aws:kms'; kmsKeyId?: string };

export interface S3ObjectStoreOptions {
  bucket: string;
  region: string;
  /** An S3-compatible endpoint (MinIO, Ceph, R2...); unset: AWS S3 itself. */
  endpoint?: string;
  /** Path-style URLs (`endpoint/bucket/key`). Default: true with an `endpoint`, false for AWS. */
  forcePathStyle?: boolean;
  /** Static keys; unset: the AWS SDK's default chain (an IAM role, web identity, env, profile). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Every write asks for it; a store that does not confirm it is treated as a failure. */
  encryption: S3Encryption;
  /**
   * Per HTTP request to the store: connecting, waiting for the answer's headers, and any
   * silence of the socket (so a stalled download fails too). Default 10 s. A put is several
   * requests (one per part) paced by the body's arrival, so it has no overall limit here.
   */
  requestTimeoutMs?: number;
  /** Attempts per request, the AWS SDK's retries of network errors, 5xx and throttling included. Default 3. */
  maxAttempts?: number;
  /** Bytes per part of a multipart upload (at least 5 MiB); a smaller body is one PutObject. Default 5 MiB. */
  partSizeBytes?: number;
  /** Parts in flight at once. Memory per put is about (queueSize + 1) x partSizeBytes. Default 1. */
  queueSize?: number;
  /** Consecutive failed requests that open the circuit breaker, and how long it fails fast. Default 5 and 30 s. */
  breaker?: { threshold: number; halfOpenAfterMs: number };
  /** Told every request's outcome and breaker change (the app passes IntegrationsService.track's). */
  observer?: IntegrationObserver;
  /** The integration's name in metrics and errors. Default `object_store`. */
  integrationName?: string;
}

const MIB = 1024 * 1024;
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Objects in an S3 bucket (AWS, or any S3-compatible store) with server-side encryption on
 * every write (seed 001: encryption at rest). A put streams: the body is cut into parts as
 * it arrives (a multipart upload; one PutObject when it fits in one part), each part sent
 * with its SHA-256 checksum for the store to verify, so memory stays at a few parts whatever
 * the size. The object's sha256 and size are computed on the way; past `maxBytes` the upload
 * is aborted and nothing is kept. Every HTTP request goes through a resilience policy
 * (libs/resilience: timeout, circuit breaker, outcomes to the observer) inside the SDK's
 * retries.
 */
export class S3ObjectStore implements ObjectStore {
  readonly kind = 's3' as const;
  private readonly client: S3Client;
  private readonly policy: IntegrationPolicy;
  private readonly bucket: string;
  private readonly encryption: S3Encryption;
  private readonly partSize: number;
  private readonly queueSize: number;

  constructor(options: S3ObjectStoreOptions) {
    const timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.bucket = options.bucket;
    this.encryption = options.encryption;
    this.partSize = Math.max(5 * MIB, options.partSizeBytes ?? 5 * MIB);
    this.queueSize = Math.max(1, options.queueSize ?? 1);
    this.policy = createIntegrationPolicy(
      {
        name: options.integrationName ?? 'object_store',
        timeoutMs,
        breaker: options.breaker ?? { threshold: 5, halfOpenAfterMs: 30_000 },
        // A missing key is an answer, not a failure of the store.
        isFailure: (error) => statusOf(error) !== 404,
      },
      options.observer,
    );
    this.client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle: options.forcePathStyle ?? options.endpoint !== undefined,
      // A copy: the SDK marks the object it is given (and the app's config is frozen).
      credentials: options.credentials ? { ...options.credentials } : undefined,
      maxAttempts: options.maxAttempts ?? 3,
      // Checksums only where we ask for them (SHA-256 on writes): not the SDK's default CRC32
      // on everything, which some S3-compatible stores refuse.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: {
        connectionTimeout: timeoutMs,
        requestTimeout: timeoutMs,
        throwOnRequestTimeout: true,
        socketTimeout: timeoutMs,
      },
    });
    // Each attempt of each request (inside the SDK's retry, after signing) runs under the policy.
    this.client.middlewareStack.add((next) => (args) => this.policy.execute(() => next(args)), {
      step: 'finalizeRequest',
      priority: 'low',
      name: 'holdfastIntegrationPolicy',
    });
  }

  /** The circuit breaker's state, for the app's integrations view. */
  get breakerState(): BreakerState {
    return this.policy.breakerState;
  }

  async put(key: string, body: Readable, options: PutOptions): Promise<StoredObject> {
    assertObjectKey(key);
    const { meter, bodyError, release } = feed(body, options);
    const params: PutObjectCommandInput = {
      Bucket: this.bucket,
      Key: key,
      Body: meter,
      ContentType: options.contentType,
      ServerSideEncryption: this.encryption.algorithm,
      ...(this.encryption.algorithm === 'aws:kms' && this.encryption.kmsKeyId ? { SSEKMSKeyId: this.encryption.kmsKeyId } : {}),
      ChecksumAlgorithm: 'SHA256',
    };
    // On any failure (the body's, the limit's, the store's) Upload aborts the multipart upload.
    const upload = new Upload({ client: this.client, params, partSize: this.partSize, queueSize: this.queueSize });
    let confirmed: ServerSideEncryption | string | undefined;
    try {
      const result = await upload.done();
      confirmed = result.ServerSideEncryption;
    } catch (error) {
      meter.destroy();
      if (meter.tooLarge) throw meter.tooLarge;
      if (bodyError() !== undefined && error === bodyError()) throw error;
      throw storeError('put', key, error);
    } finally {
      release();
    }
    if (confirmed !== this.encryption.algorithm) {
      await this.delete(key).catch(() => undefined); // the put already failed; the delete is best effort
      throw new ObjectStoreError(
        'put',
        key,
        'not_encrypted',
        `the store answered server-side encryption ${JSON.stringify(confirmed ?? null)}, not ${this.encryption.algorithm}; the object was deleted`,
      );
    }
    return { key, size: meter.bytes, sha256: meter.sha256(), contentType: options.contentType };
  }

  async get(key: string): Promise<Readable | null> {
    assertObjectKey(key);
    try {
      const result = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      // In Node.js the body is the response stream itself (an IncomingMessage).
      return result.Body instanceof Readable ? result.Body : Readable.from(result.Body as AsyncIterable<Uint8Array>);
    } catch (error) {
      if (statusOf(error) === 404) return null;
      throw storeError('get', key, error);
    }
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(key);
    try {
      await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
    } catch (error) {
      if (statusOf(error) === 404) return; // S3 answers 204 for a missing key; some compatible stores 404
      throw storeError('delete', key, error);
    }
  }

  /** Closes the client's sockets (the app calls it at shutdown). */
  destroy(): void {
    this.client.destroy();
  }
}

function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/** The store's failure as an ObjectStoreError that says what happened (S3's code and message, never a credential). */
function storeError(operation: 'put' | 'get' | 'delete', key: string, error: unknown): ObjectStoreError {
  const status = statusOf(error);
  const { name = 'Error', message = String(error), code } = (error ?? {}) as { name?: string; message?: string; code?: string };
  let failure: ObjectStoreFailure = 'error';
  if (error instanceof BreakerOpenError) failure = 'breaker_open';
  else if (error instanceof IntegrationTimeoutError || name === 'TimeoutError') failure = 'timeout';
  // The SDK may wrap a network error it does not recognise as an Error (another realm): its code is then in the message.
  else if (UNREACHABLE.has(code ?? '') || [...UNREACHABLE].some((c) => message.includes(c))) failure = 'unreachable';
  else if (status !== undefined && status >= 400 && status < 500) failure = 'refused';
  const detail = `${name}${status === undefined ? '' : ` (HTTP ${status})`}: ${message}`;
  return new ObjectStoreError(operation, key, failure, detail, { cause: error });
}
