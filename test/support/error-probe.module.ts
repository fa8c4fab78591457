import { Body, Controller, Get, HttpCode, Logger, Module, Post } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsArray, IsInt, IsString, Min, MinLength, ValidateNested } from 'class-validator';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { findFreePort } from '@holdfast/database';
import { AppError } from '@holdfast/errors';
import { Public } from '../../src/auth/auth.decorators';

export class ProbeItemDto {
  @IsString()
  @MinLength(1)
  sku!: string;

  @IsInt()
  @Min(1)
  quantity!: number;
}

export class ProbeEchoDto {
  @IsString()
  name!: string;

  @IsInt()
  @Min(1)
  count!: number;

  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => ProbeItemDto)
  items!: ProbeItemDto[];
}

/** The fake SQL /boom puts in its error message; no response may ever contain it. */
export const BOOM_MESSAGE = 'relation "secret_table" does not exist: SELECT password FROM users WHERE id = 1';

/** Guest data /query-fail passes as query parameters; no log may ever contain them. */
export const SQL_PARAMETER_EMAIL = 'sql.param.probe@example.com';
export const SQL_PARAMETER_PHONE = '+15550004321';

/** The value /unique-fail inserts twice: PostgreSQL quotes it in the error's `detail`. */
export const DETAIL_EMAIL = 'pg.detail.probe@example.com';

/**
 * Routes that fail in every way the exception filter must handle. TEST ONLY: mount
 * it with `createTestApp({ imports: [ErrorProbeModule] })`; main.ts never imports it.
 */
@Public()
@Controller('test-errors')
export class ErrorProbeController {
  private readonly logger = new Logger('ErrorProbe');

  constructor(private readonly dataSource: DataSource) {}

  @Post('echo')
  @HttpCode(200)
  echo(@Body() body: ProbeEchoDto): { received: ProbeEchoDto; isDto: boolean; isItemDto: boolean } {
    return { received: body, isDto: body instanceof ProbeEchoDto, isItemDto: body.items[0] instanceof ProbeItemDto };
  }

  @Get('boom')
  boom(): never {
    throw new Error(BOOM_MESSAGE);
  }

  @Get('query-fail')
  async queryFail(): Promise<unknown> {
    return this.dataSource.query('SELECT password FROM secret_table WHERE email = $1 AND phone = $2', [
      SQL_PARAMETER_EMAIL,
      SQL_PARAMETER_PHONE,
    ]);
  }

  /**
   * A real unique violation: PostgreSQL's error carries `detail` with the row's values,
   * "Key (email)=(...) already exists.", which no log may contain.
   */
  @Get('unique-fail')
  async uniqueFail(): Promise<never> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query('CREATE TEMP TABLE probe_unique (email text PRIMARY KEY) ON COMMIT DROP');
      await manager.query('INSERT INTO probe_unique VALUES ($1), ($1)', [DETAIL_EMAIL]);
      throw new Error('the duplicate insert succeeded');
    });
  }

  /** A real "connection refused" from node-postgres: a port nothing listens on. */
  @Get('db-unreachable')
  async dbUnreachable(): Promise<never> {
    const port = await findFreePort();
    const client = new pg.Client({ host: '127.0.0.1', port, user: 'probe', database: 'probe', connectionTimeoutMillis: 5_000 });
    await client.connect();
    await client.end();
    throw new Error(`connected to port ${port}, where nothing should listen`);
  }

  @Get('app-error')
  appError(): never {
    throw new AppError('NOT_ENOUGH_CAPACITY', 'Only 2 places are left');
  }

  /** Logs the kind of object a careless caller might: contact details, card data, credentials. */
  @Post('log-guest')
  @HttpCode(204)
  logGuest(): void {
    this.logger.log(
      {
        guestEmail: 'guest.probe@example.com',
        guestPhone: '+15550001234',
        cardNumber: '4242424242424242',
        authorization: 'Bearer probe-secret-token',
        reservation: { guestEmail: 'nested.probe@example.com', guestPhone: '+15550009876' },
      },
      'guest details received',
    );
  }
}

@Module({ controllers: [ErrorProbeController] })
export class ErrorProbeModule {}
