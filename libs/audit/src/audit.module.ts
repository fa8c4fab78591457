import { Global, Module } from '@nestjs/common';
import { AuditService } from './audit.service';

/** Provides `AuditService` to every module (imported once, by the app module). */
@Global()
@Module({
  providers: [AuditService],
  exports: [AuditService],
})
export class AuditModule {}
