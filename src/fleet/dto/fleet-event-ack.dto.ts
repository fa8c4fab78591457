import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** The answer to a delivered fleet event: any 2xx tells the fleet not to send it again. */
export class FleetEventAckDto {
  @ApiProperty({ example: true, enum: [true] })
  received!: true;

  /** The event's id (or `malformed:<sha256>` for a body without one). */
  @ApiProperty({ example: 'evt_01J9Z3' })
  eventId!: string;

  /**
   * What became of it: `applied`; `stale` (a later event about the same vehicle status or
   * maintenance was applied already); `duplicate` (this id was received before);
   * `unknown_vehicle`; `malformed` (recorded with the reason, never retried).
   */
  @ApiProperty({ enum: ['applied', 'stale', 'duplicate', 'unknown_vehicle', 'malformed'], example: 'applied' })
  outcome!: string;

  /** Why, when not applied. */
  @ApiPropertyOptional({ example: 'no unit has fleet vehicle id AB-123-CD' })
  detail?: string;
}
