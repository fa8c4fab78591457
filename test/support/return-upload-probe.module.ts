import type { IncomingMessage } from 'node:http';
import { Controller, HttpCode, Module, Post, Req } from '@nestjs/common';
import { readReturnUpload, type ReturnUpload, type ReturnUploadOptions } from '../../src/rentals/return-upload';
import { Public } from '../../src/auth/auth.decorators';
import { TestObjectStore } from './test-object-store';

/** What the probe route uses and what it saw; a test sets `store` and `options` before each request. */
export const returnUploadProbe: {
  store: TestObjectStore;
  options: ReturnUploadOptions;
  /** The request being read (a test reads its socket's bytesRead). */
  request: IncomingMessage | null;
  /** How each call ended: the upload, or the error readReturnUpload threw. */
  outcomes: ({ upload: ReturnUpload } | { error: unknown })[];
} = {
  store: new TestObjectStore(),
  options: { keyPrefix: 'rentals/probe/return', maxPhotoBytes: 10 * 1024 * 1024, maxTotalBytes: 40 * 1024 * 1024, minPhotos: 4 },
  request: null,
  outcomes: [],
};

/**
 * A route that reads its request with readReturnUpload inside the real app (body parsers,
 * hostile-input guard, prefix, exception filter), as the rentals return route will. TEST
 * ONLY: mount with `createTestApp({ imports: [ReturnUploadProbeModule] })`.
 */
@Public()
@Controller('test-return-upload')
export class ReturnUploadProbeController {
  @Post()
  @HttpCode(201)
  async upload(@Req() req: IncomingMessage): Promise<ReturnUpload> {
    returnUploadProbe.request = req;
    try {
      const upload = await readReturnUpload(req, returnUploadProbe.store, returnUploadProbe.options);
      returnUploadProbe.outcomes.push({ upload });
      return upload;
    } catch (error) {
      returnUploadProbe.outcomes.push({ error });
      throw error;
    }
  }
}

@Module({ controllers: [ReturnUploadProbeController] })
export class ReturnUploadProbeModule {}
