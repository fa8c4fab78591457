import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';
import { Trim } from '@holdfast/errors';
import { IsCurrencyCode } from '@holdfast/money';
import { SUPPORT_CASE_STATUSES, type SupportCaseStatus } from '../../support/support.types';
import { JSONScalar, PageInfo } from './common.model';

export enum RevenueGroupBy {
  DAY = 'day',
  WEEK = 'week',
  MONTH = 'month',
}
registerEnumType(RevenueGroupBy, { name: 'RevenueGroupBy', description: 'UTC buckets; a week starts on Monday' });

export const SupportCaseStatusEnum = Object.fromEntries(SUPPORT_CASE_STATUSES.map((s) => [s, s])) as Record<
  SupportCaseStatus,
  SupportCaseStatus
>;
registerEnumType(SupportCaseStatusEnum, { name: 'SupportCaseStatus' });

@ObjectType('RevenueLine', { description: 'Money of one period and offering kind, in minor units of the currency asked' })
export class RevenueLineModel {
  @Field({ description: 'The period start (ISO 8601, UTC)' }) periodStart!: string;
  @Field({ description: 'experience, product, rental; mixed for a cart of several kinds' }) offeringKind!: string;
  @Field(() => Int, { description: 'Captured by booking and renewal payments' }) captured!: number;
  @Field(() => Int, { description: 'Captured by fine charges' }) fines!: number;
  @Field(() => Int) refunded!: number;
  @Field(() => Int, { description: 'captured + fines - refunded' }) net!: number;
}

@ArgsType()
export class RevenueReportArgs {
  @Field({ description: 'From (ISO 8601, inclusive)' })
  @IsISO8601({ strict: true })
  from!: string;

  @Field({ description: 'To (ISO 8601, exclusive)' })
  @IsISO8601({ strict: true })
  to!: string;

  @Field(() => RevenueGroupBy)
  @IsIn(Object.values(RevenueGroupBy))
  groupBy!: RevenueGroupBy;

  @Field({ description: 'ISO 4217 code, e.g. EUR' })
  @IsCurrencyCode()
  currency!: string;
}

@ObjectType('SupportCase')
export class SupportCaseModel {
  @Field(() => ID) id!: string;
  @Field() kind!: string;
  @Field(() => String, { nullable: true }) reservationId!: string | null;
  @Field(() => SupportCaseStatusEnum) status!: SupportCaseStatus;
  @Field(() => JSONScalar) details!: Record<string, unknown>;
  @Field() openedAt!: string;
  @Field(() => String, { nullable: true }) resolvedAt!: string | null;
  @Field(() => String, { nullable: true }) resolvedBy!: string | null;
  @Field(() => String, { nullable: true }) resolution!: string | null;
}

@ObjectType()
export class SupportCasePage {
  @Field(() => [SupportCaseModel]) cases!: SupportCaseModel[];
  @Field(() => PageInfo) page!: PageInfo;
}

@ArgsType()
export class ResolveSupportCaseArgs {
  @Field(() => ID)
  @IsUUID()
  id!: string;

  @Field({ description: 'What was done about it' })
  @Trim()
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  resolution!: string;
}

@ObjectType('DeadJob', { description: 'A background job whose last retry failed (the dead-letter list)' })
export class DeadJobModel {
  @Field(() => ID) id!: string;
  @Field() queue!: string;
  @Field(() => Int) retryCount!: number;
  @Field({ description: 'The job data as JSON, cut at 200 characters (ids only)' }) dataSummary!: string;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field() createdOn!: string;
  @Field(() => String, { nullable: true }) completedOn!: string | null;
}

@ObjectType('AuditEntry', { description: 'Who did what to which record, when, with the record before and after' })
export class AuditEntryModel {
  @Field(() => ID) id!: string;
  @Field() occurredAt!: string;
  @Field() actor!: string;
  @Field() recordType!: string;
  @Field() recordId!: string;
  @Field() action!: string;
  @Field(() => JSONScalar, { nullable: true }) before!: unknown;
  @Field(() => JSONScalar, { nullable: true }) after!: unknown;
}

@ObjectType()
export class AuditPage {
  @Field(() => [AuditEntryModel]) entries!: AuditEntryModel[];
  @Field(() => PageInfo) page!: PageInfo;
}

@InputType()
export class AuditFilter {
  @Field({ nullable: true, description: 'e.g. rental, support_case, feature_flag' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  recordType?: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  recordId?: string;

  @Field({ nullable: true, description: 'The acting admin (token subject)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @Field({ nullable: true, description: 'At or after (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @Field({ nullable: true, description: 'Before (ISO 8601)' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}
