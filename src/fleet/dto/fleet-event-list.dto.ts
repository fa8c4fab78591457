import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length } from 'class-validator';
import { PaginationDto, PaginationQueryDto } from '@holdfast/pagination';
import {
  FLEET_EVENT_SOURCES,
  RECORDED_FLEET_OUTCOMES,
  type FleetEventSourceName,
  type RecordedFleetOutcome,
} from '../fleet.types';

/** Query of `GET /v1/admin/fleet/events`. */
export class ListFleetEventsQueryDto extends PaginationQueryDto {
  @ApiPropertyOptional({ enum: RECORDED_FLEET_OUTCOMES, example: 'failed', description: 'Only events with this outcome.' })
  @IsOptional()
  @IsIn(RECORDED_FLEET_OUTCOMES)
  outcome?: RecordedFleetOutcome;

  @ApiPropertyOptional({ enum: FLEET_EVENT_SOURCES, example: 'nats' })
  @IsOptional()
  @IsIn(FLEET_EVENT_SOURCES)
  source?: FleetEventSourceName;

  @ApiPropertyOptional({ example: 'FLEET-VAN-0042', description: "Only events about this vehicle (the fleet's vehicle id)." })
  @IsOptional()
  @IsString()
  @Length(1, 128)
  vehicleId?: string;
}

/** A fleet event as received, and what became of it. */
export class FleetEventDto {
  @ApiProperty({ example: 'evt_01J9Z7', description: "The event's id (for a body that was no event: `sha256:` of its bytes)." })
  id!: string;

  @ApiProperty({ enum: FLEET_EVENT_SOURCES, example: 'nats' })
  source!: FleetEventSourceName;

  @ApiProperty({ type: String, nullable: true, example: 'MaintenanceScheduled' })
  type!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'FLEET-VAN-0042' })
  vehicleId!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'When the fleet says it happened.' })
  occurredAt!: string | null;

  @ApiProperty({ type: String, format: 'date-time', description: 'When we recorded it.' })
  receivedAt!: string;

  @ApiProperty({
    enum: RECORDED_FLEET_OUTCOMES,
    description:
      '`applied`; `stale` (a later event about the same thing was applied first); `unknown_vehicle`; `malformed` (why: ' +
      '`detail`); `failed` (every delivery failed; `detail` has the last error).',
  })
  outcome!: RecordedFleetOutcome;

  @ApiProperty({ type: String, nullable: true, example: null })
  detail!: string | null;

  @ApiProperty({ type: Object, nullable: true, description: 'The body as received (JSON), for a person to read.' })
  payload!: unknown;
}

export class FleetEventListDto {
  @ApiProperty({ type: [FleetEventDto], description: 'Newest first.' })
  events!: FleetEventDto[];

  @ApiProperty({ type: PaginationDto })
  pagination!: PaginationDto;
}
