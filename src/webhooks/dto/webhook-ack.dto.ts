import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The answer to a delivered event: any 2xx tells Stripe not to send it again. */
export class WebhookAckDto {
  @ApiProperty({ example: true, enum: [true] })
  received!: true;

  /** True when this event id was already stored: acknowledged, nothing changed. */
  @ApiPropertyOptional({ example: true })
  duplicate?: boolean;
}
