import { Module } from '@nestjs/common';
import { AdminAuditController } from './admin-audit.controller';

/**
 * `GET /v1/admin/audit`. The log itself is libs/audit's (`AuditService`, global, imported
 * once by the app module): a lib cannot carry the admin route, which needs the app's
 * `@Roles()`.
 */
@Module({
  controllers: [AdminAuditController],
})
export class AdminAuditModule {}
