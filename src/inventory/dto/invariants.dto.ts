import { ApiProperty } from '@nestjs/swagger';

export class InvariantViolationDto {
  @ApiProperty({ example: 'slot.held_matches_ledger', description: 'Which rule is broken.' })
  invariant!: string;

  @ApiProperty({ example: 'time_slot:0b7f3c1e-4d0a-4f3e-9a51-0c7f1b6e2d11', description: '`<table row kind>:<id>`.' })
  resource!: string;

  @ApiProperty({ example: 'held is 3 but its held allocations add up to 2' })
  detail!: string;
}

/** The result of checking DESIGN.md section 9, invariants 1 and 2. */
export class InvariantsReportDto {
  @ApiProperty({ example: true, description: 'True when nothing is violated.' })
  ok!: boolean;

  @ApiProperty({ type: [InvariantViolationDto] })
  violations!: InvariantViolationDto[];
}
