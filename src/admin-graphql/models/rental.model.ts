import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Max, MaxLength, Min, MinLength } from 'class-validator';
import { Trim } from '@holdfast/errors';
import { MAX_AMOUNT_MINOR } from '@holdfast/money';
import { FINE_KINDS, RENTAL_STATUSES, type RentalStatus } from '../../rentals/rentals.types';

type FineKind = (typeof FINE_KINDS)[number];
import { PageInfo } from './common.model';
import { PaymentModel } from './reservation.model';

/** GraphQL enums list the domain's own values, so the schema and the services never disagree. */
const enumOf = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as Record<T, T>;

export const RentalStatusEnum = enumOf(RENTAL_STATUSES);
registerEnumType(RentalStatusEnum, { name: 'RentalStatus', description: 'Where a vehicle rental stands (DESIGN.md section 4)' });
export const FineKindEnum = enumOf(FINE_KINDS);
registerEnumType(FineKindEnum, { name: 'FineKind', description: 'What a rental fine is for' });
export const VerificationDecisionEnum = enumOf(['approve', 'reject'] as const);
registerEnumType(VerificationDecisionEnum, {
  name: 'VerificationDecision',
  description: 'approve: the fines as they stand are owed and the rental completes; reject: it stays disputed',
});

@ObjectType({ description: 'One fine line of a rental (minor units)' })
export class RentalFineModel {
  @Field(() => FineKindEnum) kind!: FineKind;
  @Field(() => Int, { description: 'What is owed now' }) amount!: number;
  @Field(() => Int, { description: 'What was first assessed (the difference was waived)' }) assessed!: number;
  @Field() reason!: string;
  @Field({ description: 'Who set it: an admin, or system:settlement' }) setBy!: string;
}

@ObjectType('Rental', { description: 'A vehicle rental (its id is its reservation id)' })
export class RentalModel {
  @Field(() => ID) id!: string;
  @Field(() => RentalStatusEnum) rentalStatus!: RentalStatus;
  @Field({ description: 'The renter (token subject)' }) userId!: string;
  @Field(() => ID) offeringId!: string;
  @Field(() => ID) unitId!: string;
  @Field() currency!: string;
  @Field(() => Int) price!: number;
  @Field(() => Int) deposit!: number;
  @Field() pickupAt!: string;
  @Field() returnAt!: string;
  @Field(() => String, { nullable: true }) startedAt!: string | null;
  @Field(() => String, { nullable: true }) returnedAt!: string | null;
  @Field(() => [String], { description: 'Why the return is disputed (empty when it is not)' }) disputes!: string[];
  @Field(() => String, { nullable: true }) verifiedBy!: string | null;
  @Field(() => String, { nullable: true }) verificationNote!: string | null;
  @Field(() => String, { nullable: true }) completedAt!: string | null;
  /** Resolved per request through a DataLoader (one query for every rental of the response). */
  @Field(() => [RentalFineModel]) fines?: RentalFineModel[];
  /** Resolved per request through a DataLoader (one query for every rental of the response). */
  @Field(() => [PaymentModel], { description: 'Every payment attempt, fines included, newest first' })
  payments?: PaymentModel[];
}

@ObjectType()
export class RentalPage {
  @Field(() => [RentalModel]) rentals!: RentalModel[];
  @Field(() => PageInfo) page!: PageInfo;
}

@InputType()
export class ActiveRentalsFilter {
  @Field(() => RentalStatusEnum, { nullable: true })
  @IsOptional()
  @IsIn(RENTAL_STATUSES)
  status?: RentalStatus;

  @Field({ nullable: true, description: 'The renter (token subject)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  userId?: string;
}

@ArgsType()
export class OverrideReturnVerificationArgs {
  @Field(() => ID)
  @IsUUID()
  rentalId!: string;

  @Field(() => VerificationDecisionEnum)
  @IsIn(['approve', 'reject'])
  decision!: 'approve' | 'reject';

  @Field(() => String, { nullable: true })
  @IsOptional()
  @Trim()
  @IsString()
  @MaxLength(2000)
  note?: string | null;
}

@ArgsType()
export class AdjustFineArgs {
  @Field(() => ID)
  @IsUUID()
  rentalId!: string;

  @Field(() => FineKindEnum)
  @IsIn(FINE_KINDS)
  kind!: FineKind;

  @Field(() => Int, { description: 'What the fine is now, in minor units (0 waives it)' })
  @IsInt()
  @Min(0)
  @Max(MAX_AMOUNT_MINOR)
  amount!: number;

  @Field()
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;
}
