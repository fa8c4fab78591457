import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { Clock } from '@holdfast/clock';
import type { AuthConfig } from './auth.config';
import { JwtAuthGuard, RolesGuard } from './auth.guards';
import { DevTokenController } from './dev-token.controller';
import { JwtStrategy } from './jwt.strategy';
import { VerifiedTokens } from './verified-tokens';

/** Bearer-token auth on every route by default (`@Public()` opts out), plus `@Roles()`. */
@Module({})
export class AuthModule {
  static forRoot(config: AuthConfig): DynamicModule {
    return {
      module: AuthModule,
      imports: [PassportModule.register({ session: false })],
      controllers: config.mode === 'dev' ? [DevTokenController] : [],
      providers: [
        JwtStrategy,
        // One cache for the guard and the hold lane (src/hold-lane.ts), which serves only tokens in it.
        { provide: VerifiedTokens, useFactory: (clock: Clock) => new VerifiedTokens(() => clock.nowMs()), inject: [Clock] },
        { provide: APP_GUARD, useClass: JwtAuthGuard },
        { provide: APP_GUARD, useClass: RolesGuard },
      ],
      exports: [VerifiedTokens],
    };
  }
}
