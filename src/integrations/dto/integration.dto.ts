import { ApiProperty } from '@nestjs/swagger';

export class IntegrationErrorDto {
  @ApiProperty({ example: 'TaxProviderError: tax provider answered HTTP 503', description: 'The error message only.' })
  message!: string;

  @ApiProperty({ example: '2026-12-04T10:15:00.000Z' })
  at!: string;
}

export class IntegrationOutcomesDto {
  @ApiProperty({ example: 120 })
  success!: number;
  @ApiProperty({ example: 2 })
  failure!: number;
  @ApiProperty({ example: 1 })
  timeout!: number;
  @ApiProperty({ example: 0, description: 'Refused at once by the open circuit breaker.' })
  breaker_open!: number;
  @ApiProperty({ example: 0, description: 'Refused by our client-side rate limiter (never sent).' })
  rate_limited!: number;
}

export class IntegrationWindowDto {
  @ApiProperty({ example: 900, description: 'How far back these figures look.' })
  seconds!: number;

  @ApiProperty({ example: 123, description: 'Calls made through the integration policy.' })
  calls!: number;

  @ApiProperty({ type: IntegrationOutcomesDto })
  outcomes!: IntegrationOutcomesDto;

  @ApiProperty({ type: Number, nullable: true, example: 0.9756, description: 'successes / calls; null without calls.' })
  successRate!: number | null;

  @ApiProperty({ example: 3, description: 'Answers served from a fallback (rate table, stale cache).' })
  fallbacks!: number;

  @ApiProperty({ type: Number, nullable: true, example: 0.0244, description: 'fallbacks / calls; null without calls.' })
  fallbackRate!: number | null;
}

export class IntegrationQuotaDto {
  @ApiProperty({ example: 10000, description: 'Requests the provider allows a day (UTC).' })
  limit!: number;

  @ApiProperty({ example: 1234, description: 'Requests this replica sent today (UTC).' })
  used!: number;

  @ApiProperty({ example: 0.1234 })
  ratio!: number;
}

export class IntegrationDto {
  @ApiProperty({ example: 'tax', description: 'The `integration` label of its metrics.' })
  name!: string;

  @ApiProperty({ example: 'tax', description: 'What it is for: tax, inventory, shipping, payments.' })
  kind!: string;

  @ApiProperty({ enum: ['closed', 'open', 'half_open'], example: 'closed' })
  breakerState!: 'closed' | 'open' | 'half_open';

  @ApiProperty({ type: IntegrationErrorDto, nullable: true, description: 'The last failed call, or null.' })
  lastError!: IntegrationErrorDto | null;

  @ApiProperty({ type: IntegrationWindowDto })
  window!: IntegrationWindowDto;

  @ApiProperty({ type: IntegrationQuotaDto, nullable: true, description: 'Null when the provider has no quota.' })
  quota!: IntegrationQuotaDto | null;
}

export class IntegrationListDto {
  @ApiProperty({ type: [IntegrationDto], description: 'By name; as this replica sees them.' })
  integrations!: IntegrationDto[];
}
