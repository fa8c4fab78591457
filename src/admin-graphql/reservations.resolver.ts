import { Args, Query, Resolver } from '@nestjs/graphql';
import { AppError } from '@holdfast/errors';
import { Roles } from '../auth/auth.decorators';
import { RevenueService } from '../payments/revenue.service';
import type { ReservationDto } from '../reservations/dto/reservation.dto';
import { ReservationQueries } from '../reservations/reservation-queries';
import { RevenueLineModel, RevenueReportArgs } from './models/admin.model';
import { PageInput, pageInfo } from './models/common.model';
import { ReservationModel, ReservationPage, ReservationsFilter } from './models/reservation.model';

function toModel(r: ReservationDto): ReservationModel {
  return {
    id: r.id,
    userId: r.userId,
    status: r.status,
    paymentStatus: r.paymentStatus,
    totalPrice: r.totalPrice,
    currency: r.currency,
    guestName: r.guestName,
    createdAt: r.createdAt,
    items: r.items.map((i) => ({
      id: i.id,
      offeringId: i.offeringId,
      kind: i.kind,
      title: i.title,
      quantity: i.quantity,
      totalPrice: i.totalPrice,
      startDate: i.startDate,
      endDate: i.endDate,
    })),
    payments: r.payments.map((p) => ({ ...p, purpose: null })),
    refunds: r.refunds.map((f) => ({
      refundId: f.refundId,
      paymentId: f.paymentId,
      amount: f.amount,
      status: f.status,
      reason: f.reason,
      createdAt: f.createdAt,
    })),
  };
}

/** Reservations with their money, and the revenue report (payments' query, grouped by what reservations booked). */
@Roles('admin')
@Resolver(() => ReservationModel)
export class ReservationsResolver {
  constructor(
    private readonly queries: ReservationQueries,
    private readonly revenue: RevenueService,
  ) {}

  @Query(() => ReservationPage, {
    description:
      "Any user's reservations, newest first, each with its items, payments and refunds (GET /v1/admin/reservations); " +
      'a page costs a fixed number of queries, whatever its size',
  })
  async reservations(
    @Args('filter', { type: () => ReservationsFilter, nullable: true }) filter: ReservationsFilter | null,
    @Args('page', { type: () => PageInput, nullable: true }) page: PageInput | null,
  ): Promise<ReservationPage> {
    const p = page ?? new PageInput();
    const list = await this.queries.adminList({ ...(filter ?? {}), limit: p.limit, offset: p.offset });
    return { reservations: list.reservations.map(toModel), page: pageInfo(list.pagination.total, p) };
  }

  @Query(() => [RevenueLineModel], {
    description:
      'Captured booking and renewal payments plus fine charges minus refunds, by UTC day, week or month and offering ' +
      'kind, in one currency; `from <= time < to`, at most 366 days',
  })
  async revenueReport(@Args() range: RevenueReportArgs): Promise<RevenueLineModel[]> {
    const from = new Date(range.from);
    const to = new Date(range.to);
    if (!(from < to) || to.getTime() - from.getTime() > 366 * 86_400_000) {
      throw new AppError('VALIDATION_FAILED', 'from must be before to, at most 366 days apart', [
        { field: 'to', message: 'must be after from, within 366 days' },
      ]);
    }
    const lines = await this.revenue.report({ from, to, groupBy: range.groupBy, currency: range.currency }, (ids) =>
      this.queries.offeringKinds(ids),
    );
    return lines.map((l) => ({ ...l, periodStart: l.periodStart.toISOString() }));
  }
}
