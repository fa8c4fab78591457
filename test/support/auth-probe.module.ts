import { Controller, Get, Module } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import type { AuthUser } from '../../src/auth/auth-user';
import { CurrentUser, Public, Roles } from '../../src/auth/auth.decorators';

export class ProbeUserDto {
  @ApiProperty({ example: 'alice' })
  sub!: string;

  @ApiPropertyOptional({ example: 'alice@example.com' })
  email?: string;

  @ApiProperty({ example: ['admin'], type: [String] })
  roles!: string[];
}

export class ProbeOpenDto {
  @ApiProperty({ example: true })
  open!: boolean;
}

/**
 * One route per auth decision the app makes: guarded by default, `@Roles('admin')`,
 * `@Public()`. TEST ONLY: mount it with `createTestApp({ imports: [AuthProbeModule] })`;
 * main.ts never imports it.
 */
@ApiTags('test-auth')
@Controller('test-auth')
export class AuthProbeController {
  @Get('me')
  @ApiOperation({ summary: 'The signed-in user, as the guard read it from the token (test only)' })
  @ApiOkResponse({ type: ProbeUserDto })
  @ApiErrors('UNAUTHORIZED')
  me(@CurrentUser() user: AuthUser): ProbeUserDto {
    return { sub: user.sub, email: user.email, roles: user.roles };
  }

  @Get('admin')
  @Roles('admin')
  @ApiOperation({ summary: 'Admins only: the signed-in admin (test only)' })
  @ApiOkResponse({ type: ProbeUserDto })
  @ApiErrors('UNAUTHORIZED', 'FORBIDDEN')
  admin(@CurrentUser() user: AuthUser): ProbeUserDto {
    return { sub: user.sub, email: user.email, roles: user.roles };
  }

  @Get('open')
  @Public()
  @ApiOperation({ summary: 'Needs no token (test only)' })
  @ApiOkResponse({ type: ProbeOpenDto })
  open(): ProbeOpenDto {
    return { open: true };
  }
}

@Module({ controllers: [AuthProbeController] })
export class AuthProbeModule {}
