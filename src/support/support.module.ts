import { Module } from '@nestjs/common';
import { AdminSupportController } from './admin-support.controller';
import { SupportCasesRepository } from './support-cases.repository';
import { SupportService } from './support.service';

/** Support cases opened by failures that need a person (`SupportService.open`), and their admin routes. */
@Module({
  controllers: [AdminSupportController],
  providers: [SupportCasesRepository, SupportService],
  exports: [SupportService],
})
export class SupportModule {}
