import { describe, expect, it } from '@jest/globals';
import { validateEnv } from './env.schema';

/** The message validateEnv throws for `raw`, or a failure if it does not throw. */
function problems(raw: Record<string, unknown>): string {
  try {
    validateEnv(raw);
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(raw)} to be rejected`);
}

const S3 = { OBJECT_STORE: 's3', S3_BUCKET: 'holdfast-photos' };

describe('validateEnv: the object store', () => {
  it('defaults to files under .data/objects, and to SSE-S3 with a 10 s timeout for a bucket', () => {
    const env = validateEnv({});
    expect(env).toMatchObject({
      OBJECT_STORE: 'local',
      OBJECT_STORE_DIR: '.data/objects',
      S3_REGION: 'us-east-1',
      S3_SSE: 'AES256',
      S3_TIMEOUT_MS: 10000,
    });
    expect(env.S3_BUCKET).toBeUndefined();
    expect(env.S3_ENDPOINT).toBeUndefined();
  });

  it('requires a valid bucket name with OBJECT_STORE=s3, and refuses an unknown store', () => {
    expect(problems({ OBJECT_STORE: 's3' })).toMatch(/S3_BUCKET=\(unset\): S3_BUCKET is required when OBJECT_STORE=s3/);
    expect(problems({ ...S3, S3_BUCKET: 'Holdfast_Photos' })).toContain('S3_BUCKET is required when OBJECT_STORE=s3');
    expect(problems({ OBJECT_STORE: 'gcs' })).toMatch(
      /OBJECT_STORE="gcs": OBJECT_STORE must be one of the following values: local, s3/,
    );
    expect(validateEnv(S3)).toMatchObject(S3);
  });

  it('takes the access key and the secret together or not at all', () => {
    for (const half of [{ S3_ACCESS_KEY_ID: 'AKIAEXAMPLE' }, { S3_SECRET_ACCESS_KEY: 'secret-do-not-print' }]) {
      const message = problems({ ...S3, ...half });
      expect(message).not.toContain('do-not-print');
      expect(message).toMatch(
        /^Invalid configuration \(1 problem\):\n {2}- S3_(ACCESS_KEY_ID|SECRET_ACCESS_KEY)=\(unset\): .*go together/,
      );
    }
    expect(validateEnv({ ...S3, S3_ACCESS_KEY_ID: 'AKIAEXAMPLE', S3_SECRET_ACCESS_KEY: 's' })).toMatchObject({
      S3_ACCESS_KEY_ID: 'AKIAEXAMPLE',
    });
  });

  it('checks the endpoint, the region, the encryption and the timeout', () => {
    expect(problems({ ...S3, S3_ENDPOINT: 'minio:9000' })).toContain('S3_ENDPOINT must be an http(s) URL');
    expect(problems({ ...S3, S3_ENDPOINT: 'https://key:secret@minio.example.com' })).toContain('must not carry credentials');
    expect(problems({ ...S3, S3_REGION: 'EU West' })).toContain('S3_REGION must be a region name');
    expect(problems({ ...S3, S3_SSE: 'none' })).toContain('S3_SSE must be AES256 (S3-managed keys) or aws:kms');
    expect(problems({ ...S3, S3_SSE_KMS_KEY_ID: 'alias/photos' })).toContain(
      'S3_SSE_KMS_KEY_ID is only used with S3_SSE=aws:kms',
    );
    expect(problems({ ...S3, S3_TIMEOUT_MS: '50' })).toContain('S3_TIMEOUT_MS must not be less than 100');
    expect(
      validateEnv({
        ...S3,
        S3_ENDPOINT: 'http://127.0.0.1:9000',
        S3_SSE: 'aws:kms',
        S3_SSE_KMS_KEY_ID: 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      }),
    ).toMatchObject({ S3_SSE: 'aws:kms', S3_ENDPOINT: 'http://127.0.0.1:9000' });
  });
});
