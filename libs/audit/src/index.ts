export { AuditService, type AuditEntry, type AuditFilter, type AuditRecord } from './audit.service';
export { AuditModule } from './audit.module';
