import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiErrors } from '@holdfast/errors';
import { AuthConfig } from './auth.config';
import { Public } from './auth.decorators';
import { mintDevToken } from './dev-token.service';
import { DevTokenRequestDto, DevTokenResponseDto } from './dto/dev-token.dto';

/** Mints tokens for local development. Registered only when AUTH_MODE=dev. */
@ApiTags('dev')
@Controller('dev')
export class DevTokenController {
  constructor(private readonly config: AuthConfig) {}

  @Post('token')
  @Public()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Mint a development token (AUTH_MODE=dev only)',
    description: 'Returns an HS256 bearer token for any user id and roles. Not registered when AUTH_MODE=jwks.',
  })
  @ApiOkResponse({ type: DevTokenResponseDto })
  @ApiErrors('VALIDATION_FAILED')
  token(@Body() body: DevTokenRequestDto): DevTokenResponseDto {
    const ttl = this.config.devTokenTtlSeconds;
    return {
      accessToken: mintDevToken(this.config.jwtSecret, body, ttl, this.config.audience, this.config.issuer),
      tokenType: 'Bearer',
      expiresIn: ttl,
    };
  }
}
