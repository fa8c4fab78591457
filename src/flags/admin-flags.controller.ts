import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { FlagDto, FlagListDto, SetFlagDto } from './dto/flag.dto';
import { FlagsService } from './flags.service';
import type { FeatureFlag } from './flags.types';

const toDto = (f: FeatureFlag): FlagDto => ({ ...f, updatedAt: f.updatedAt.toISOString() });

/** Feature flags: switch an integration or a behaviour without a deploy. Admins only. */
@ApiTags('admin')
@Roles('admin')
@Controller('admin/flags')
export class AdminFlagsController {
  constructor(private readonly flags: FlagsService) {}

  @Get()
  @ApiOperation({
    summary: 'List feature flags',
    description: 'Every flag as stored now, with what it does and who flipped it last.',
  })
  @ApiOkResponse({ type: FlagListDto })
  async list(): Promise<FlagListDto> {
    return { flags: (await this.flags.list()).map(toDto) };
  }

  @Put(':key')
  @ApiOperation({
    summary: 'Turn a feature flag on or off',
    description:
      'Takes effect at once on the replica that answers and within 5 s on the others (each caches flags for 5 s); no ' +
      'restart. Audited (who, when, before, after). Flags are created by migrations: an unknown key is 404.',
  })
  @ApiParam({ name: 'key', example: 'notifications.email' })
  @ApiOkResponse({ type: FlagDto })
  @ApiErrors('VALIDATION_FAILED', 'NOT_FOUND')
  async set(@Param('key') key: string, @Body() body: SetFlagDto, @CurrentUser() admin: AuthUser): Promise<FlagDto> {
    return toDto(await this.flags.set(key, body, admin.sub));
  }
}
