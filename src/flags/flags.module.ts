import { Module } from '@nestjs/common';
import { AdminFlagsController } from './admin-flags.controller';
import { FlagsRepository } from './flags.repository';
import { FlagsService } from './flags.service';

/** Feature flags (OpenFeature over the `feature_flags` table): `FlagsService.isEnabled(key)` for other modules. */
@Module({
  controllers: [AdminFlagsController],
  providers: [FlagsRepository, FlagsService],
  exports: [FlagsService],
})
export class FlagsModule {}
