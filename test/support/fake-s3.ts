import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { verifySigV4 } from './fake-s3-sigv4';

/**
 * How the fake answers: `ok`; `slow` (every answer `delayMs` late: a long delay is a hung
 * store); `error` (every request answers `status`, 503 by default, with S3's error body);
 * `ignore_sse` (writes are stored but the encryption asked for is neither applied nor
 * confirmed: a store that silently ignores the header).
 */
export type FakeS3Mode = 'ok' | 'slow' | 'error' | 'ignore_sse';

export type FakeS3Operation =
  | 'PutObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'unknown';

export interface FakeS3Request {
  operation: FakeS3Operation;
  method: string;
  key: string | null;
  /** The `x-amz-server-side-encryption` header of the request, if any. */
  sse: string | null;
  /** Whether it carried an `x-amz-checksum-sha256` header. */
  checksum: boolean;
  bytes: number;
  status: number;
}

export interface FakeS3Object {
  body: Buffer;
  contentType: string;
  /** The encryption it is stored with (null: none). */
  sse: string | null;
  kmsKeyId: string | null;
}

export interface FakeS3 {
  /** The endpoint to configure (S3_ENDPOINT): path-style, `http://127.0.0.1:PORT`. */
  endpoint: string;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Stored objects by key. */
  objects: Map<string, FakeS3Object>;
  /** Multipart uploads begun and neither completed nor aborted, by upload id. */
  uploads: Map<string, { key: string }>;
  /** Every request that reached it, refused ones included. */
  requests: FakeS3Request[];
  mode(mode: FakeS3Mode, options?: { delayMs?: number; status?: number }): void;
  /** Stops listening (connections are refused) until `up()`. */
  down(): Promise<void>;
  up(): Promise<void>;
  stop(): Promise<void>;
}

interface Upload {
  key: string;
  contentType: string;
  sse: string | null;
  kmsKeyId: string | null;
  sha256: boolean;
  parts: Map<number, { body: Buffer; etag: string; checksum: string | null }>;
}

const MIN_PART = 5 * 1024 * 1024;
const md5 = (data: Buffer) => createHash('md5').update(data).digest();
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest();
const xmlEscape = (text: string) => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
const xmlUnescape = (text: string) =>
  text.replace(/&(quot|amp|lt|gt|apos|#(\d+));/g, (_, name: string, code?: string) =>
    code
      ? String.fromCharCode(Number(code))
      : ({ quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" } as Record<string, string>)[name],
  );

/**
 * A fake S3-compatible object store on 127.0.0.1 (a free port), path-style
 * (`/{bucket}/{key}`), holding bodies in memory and checking requests as S3 would:
 * a valid AWS Signature V4 from the one known key pair (403 `InvalidAccessKeyId`,
 * `SignatureDoesNotMatch`, `AccessDenied` without one), the payload hash, each part's or
 * object's `x-amz-checksum-sha256` (400 `BadDigest`), and, like a bucket policy that denies
 * unencrypted uploads, `x-amz-server-side-encryption: AES256 | aws:kms` on every PutObject
 * and CreateMultipartUpload (403 `AccessDenied` without it; 400 `InvalidArgument` for
 * another value). Multipart: parts of at least 5 MiB but the last (`EntityTooSmall`), parts
 * listed in order with their ETags (`InvalidPart`), a SHA-256 upload's parts each with
 * their checksum. Serves PutObject, the multipart calls, GetObject, HeadObject, DeleteObject.
 */
export async function startFakeS3(options: { bucket?: string; region?: string } = {}): Promise<FakeS3> {
  const bucket = options.bucket ?? 'holdfast-test';
  const region = options.region ?? 'us-east-1';
  const accessKeyId = 'AKIAFAKES3HOLDFAST01';
  const secretAccessKey = 'fake-s3-secret-access-key-do-not-print';
  const keys = new Map([[accessKeyId, secretAccessKey]]);
  const objects = new Map<string, FakeS3Object>();
  const uploads = new Map<string, Upload>();
  const requests: FakeS3Request[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let current: { mode: FakeS3Mode; delayMs: number; status: number } = { mode: 'ok', delayMs: 0, status: 503 };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const [rawPath, rawQuery = ''] = (req.url ?? '/').split('?', 2) as [string, string?];
    const query = new URLSearchParams(rawQuery);
    const [, bucketName = '', ...keyParts] = rawPath.split('/');
    const key = keyParts.length > 0 ? decodeURIComponent(keyParts.join('/')) : null;
    const header = (name: string) => (req.headers[name] === undefined ? null : String(req.headers[name]));
    const method = req.method ?? 'GET';
    const operation = operationOf(method, key, query);
    const record: FakeS3Request = {
      operation,
      method,
      key,
      sse: header('x-amz-server-side-encryption'),
      checksum: header('x-amz-checksum-sha256') !== null,
      bytes: body.length,
      status: 0,
    };
    requests.push(record);

    const send = (status: number, headers: Record<string, string> = {}, payload?: string | Buffer) => {
      record.status = status;
      const delay = current.mode === 'slow' ? current.delayMs : 0;
      const write = () => {
        if (res.destroyed) return;
        const data = payload === undefined ? undefined : Buffer.from(payload);
        res.writeHead(status, {
          'x-amz-request-id': randomUUID(),
          ...(data ? { 'content-type': headers['content-type'] ?? 'application/xml' } : {}),
          'content-length': String(data?.length ?? 0),
          ...headers,
        });
        res.end(method === 'HEAD' ? undefined : data);
      };
      if (delay === 0) return write();
      const timer = setTimeout(() => {
        timers.delete(timer);
        write();
      }, delay);
      timers.add(timer);
      res.on('close', () => clearTimeout(timer));
    };
    const fail = (status: number, code: string, message: string) =>
      send(
        status,
        {},
        `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${xmlEscape(message)}</Message>` +
          `${key ? `<Key>${xmlEscape(key)}</Key>` : ''}<RequestId>${randomUUID()}</RequestId></Error>`,
      );
    const xml = (root: string, fields: Record<string, string>, headers: Record<string, string> = {}) =>
      send(
        200,
        headers,
        `<?xml version="1.0" encoding="UTF-8"?>\n<${root} xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
          Object.entries(fields)
            .map(([name, value]) => `<${name}>${xmlEscape(value)}</${name}>`)
            .join('') +
          `</${root}>`,
      );

    if (current.mode === 'error')
      return fail(current.status, current.status === 503 ? 'SlowDown' : 'InternalError', 'Please reduce your request rate.');
    const refusal = verifySigV4({ method, rawPath, rawQuery, headers: req.headers, body }, keys);
    if (refusal) return fail(refusal.status, refusal.code, refusal.message);
    if (header('content-encoding')?.includes('aws-chunked'))
      return fail(501, 'NotImplemented', 'aws-chunked bodies are not served by this fake');
    if (bucketName !== bucket) return fail(404, 'NoSuchBucket', 'The specified bucket does not exist');
    if (key === null || operation === 'unknown') return fail(501, 'NotImplemented', 'Not served by this fake');

    const checksum = header('x-amz-checksum-sha256');
    if (checksum !== null && checksum !== sha256(body).toString('base64')) {
      return fail(400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
    }
    /** The encryption a write asks for, or an error sent (a bucket policy's refusal). */
    const encryption = (): { sse: string | null; kmsKeyId: string | null } | null => {
      const sse = header('x-amz-server-side-encryption');
      if (sse === null) {
        fail(403, 'AccessDenied', 'Access Denied: the bucket policy requires x-amz-server-side-encryption on uploads');
        return null;
      }
      if (sse !== 'AES256' && sse !== 'aws:kms') {
        fail(400, 'InvalidArgument', 'The encryption method specified is not supported');
        return null;
      }
      if (current.mode === 'ignore_sse') return { sse: null, kmsKeyId: null };
      return { sse, kmsKeyId: sse === 'aws:kms' ? (header('x-amz-server-side-encryption-aws-kms-key-id') ?? 'aws/s3') : null };
    };
    const sseHeaders = (stored: { sse: string | null; kmsKeyId: string | null }): Record<string, string> => ({
      ...(stored.sse ? { 'x-amz-server-side-encryption': stored.sse } : {}),
      ...(stored.kmsKeyId ? { 'x-amz-server-side-encryption-aws-kms-key-id': stored.kmsKeyId } : {}),
    });
    const contentType = header('content-type') ?? 'binary/octet-stream';

    switch (operation) {
      case 'PutObject': {
        const stored = encryption();
        if (!stored) return;
        objects.set(key, { body, contentType, ...stored });
        return send(200, {
          etag: `"${md5(body).toString('hex')}"`,
          ...sseHeaders(stored),
          ...(checksum ? { 'x-amz-checksum-sha256': checksum } : {}),
        });
      }
      case 'CreateMultipartUpload': {
        const stored = encryption();
        if (!stored) return;
        const uploadId = randomUUID();
        const algorithm = header('x-amz-checksum-algorithm');
        uploads.set(uploadId, { key, contentType, ...stored, sha256: algorithm === 'SHA256', parts: new Map() });
        return xml('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId }, sseHeaders(stored));
      }
      case 'UploadPart': {
        const upload = uploads.get(query.get('uploadId')!);
        if (!upload || upload.key !== key) return fail(404, 'NoSuchUpload', 'The specified upload does not exist.');
        const partNumber = Number(query.get('partNumber'));
        if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10000) {
          return fail(400, 'InvalidArgument', 'Part number must be an integer between 1 and 10000, inclusive');
        }
        if (upload.sha256 && checksum === null) {
          return fail(
            400,
            'InvalidRequest',
            'The upload was created using a sha256 checksum: each part needs its x-amz-checksum-sha256.',
          );
        }
        const etag = `"${md5(body).toString('hex')}"`;
        upload.parts.set(partNumber, { body, etag, checksum });
        return send(200, { etag, ...sseHeaders(upload), ...(checksum ? { 'x-amz-checksum-sha256': checksum } : {}) });
      }
      case 'CompleteMultipartUpload': {
        const uploadId = query.get('uploadId')!;
        const upload = uploads.get(uploadId);
        if (!upload || upload.key !== key) return fail(404, 'NoSuchUpload', 'The specified upload does not exist.');
        const listed = [...body.toString('utf8').matchAll(/<Part>([\s\S]*?)<\/Part>/g)].map(([, part]) => ({
          number: Number(/<PartNumber>(\d+)<\/PartNumber>/.exec(part)?.[1]),
          etag: xmlUnescape(/<ETag>([\s\S]*?)<\/ETag>/.exec(part)?.[1] ?? ''),
          checksum: /<ChecksumSHA256>([\s\S]*?)<\/ChecksumSHA256>/.exec(part)?.[1] ?? null,
        }));
        if (listed.length === 0) return fail(400, 'MalformedXML', 'The XML you provided was not well-formed.');
        const parts = [];
        for (const [i, entry] of listed.entries()) {
          const part = upload.parts.get(entry.number);
          if (i > 0 && entry.number <= listed[i - 1].number)
            return fail(400, 'InvalidPartOrder', 'The list of parts was not in ascending order.');
          if (!part || part.etag !== entry.etag)
            return fail(400, 'InvalidPart', 'One or more of the specified parts could not be found.');
          if (upload.sha256 && entry.checksum !== part.checksum)
            return fail(400, 'InvalidPart', 'A part checksum is missing or wrong.');
          if (i < listed.length - 1 && part.body.length < MIN_PART) {
            return fail(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.');
          }
          parts.push(part);
        }
        const whole = Buffer.concat(parts.map((p) => p.body));
        objects.set(key, { body: whole, contentType: upload.contentType, sse: upload.sse, kmsKeyId: upload.kmsKeyId });
        uploads.delete(uploadId);
        const etag = `"${md5(Buffer.concat(parts.map((p) => md5(p.body)))).toString('hex')}-${parts.length}"`;
        const composite: Record<string, string> = upload.sha256
          ? {
              ChecksumSHA256: `${sha256(Buffer.concat(parts.map((p) => Buffer.from(p.checksum!, 'base64')))).toString('base64')}-${parts.length}`,
            }
          : {};
        return xml(
          'CompleteMultipartUploadResult',
          { Location: `/${bucket}/${key}`, Bucket: bucket, Key: key, ETag: etag, ...composite },
          sseHeaders(upload),
        );
      }
      case 'AbortMultipartUpload':
        if (!uploads.delete(query.get('uploadId')!)) return fail(404, 'NoSuchUpload', 'The specified upload does not exist.');
        return send(204);
      case 'GetObject':
      case 'HeadObject': {
        const object = objects.get(key);
        if (!object) return operation === 'HeadObject' ? send(404) : fail(404, 'NoSuchKey', 'The specified key does not exist.');
        return send(
          200,
          { 'content-type': object.contentType, etag: `"${md5(object.body).toString('hex')}"`, ...sseHeaders(object) },
          object.body,
        );
      }
      case 'DeleteObject':
        objects.delete(key); // S3 answers 204 whether or not the key existed
        return send(204);
    }
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  const close = () =>
    new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      if (!server.listening) return resolve();
      server.close(() => resolve());
    });

  await listen(0);
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region,
    accessKeyId,
    secretAccessKey,
    objects,
    uploads,
    requests,
    mode(mode, opts = {}) {
      current = { mode, delayMs: opts.delayMs ?? 5_000, status: opts.status ?? 503 };
    },
    down: close,
    up: () => listen(port),
    stop: close,
  };
}

function operationOf(method: string, key: string | null, query: URLSearchParams): FakeS3Operation {
  if (key === null) return 'unknown';
  const uploadId = query.has('uploadId');
  if (method === 'PUT') return uploadId && query.has('partNumber') ? 'UploadPart' : uploadId ? 'unknown' : 'PutObject';
  if (method === 'POST') return query.has('uploads') ? 'CreateMultipartUpload' : uploadId ? 'CompleteMultipartUpload' : 'unknown';
  if (method === 'DELETE') return uploadId ? 'AbortMultipartUpload' : 'DeleteObject';
  if (method === 'GET') return 'GetObject';
  if (method === 'HEAD') return 'HeadObject';
  return 'unknown';
}
