import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES } from './error-codes';

export class ErrorDetailDto {
  @ApiProperty({ example: 'numberOfGuests', description: 'Path of the offending field.' })
  field!: string;

  @ApiProperty({ example: 'numberOfGuests must not be less than 1' })
  message!: string;
}

/** The body of every error response. */
export class ErrorResponseDto {
  @ApiProperty({ enum: ERROR_CODES, example: 'VALIDATION_FAILED', description: 'Stable machine-readable code.' })
  error!: string;

  @ApiProperty({ example: 'The request is not valid', description: 'Human-readable text; may change.' })
  message!: string;

  @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'Per-field problems, for VALIDATION_FAILED.' })
  details?: ErrorDetailDto[];

  @ApiProperty({ example: '9b2f3c1e-4d0a-4f3e-9a51-0c7f1b6e2d11', description: 'Echoes X-Request-Id; quote it to support.' })
  requestId!: string;
}
