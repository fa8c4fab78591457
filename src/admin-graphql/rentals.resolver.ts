import { Args, Context, ID, Mutation, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import type { AuthUser } from '../auth/auth-user';
import { CurrentUser, Roles } from '../auth/auth.decorators';
import { RentalReturnService } from '../rentals/rental-return.service';
import { RentalsService } from '../rentals/rentals.service';
import type { Rental } from '../rentals/rentals.types';
import { type AdminGraphqlContext, paymentView } from './loaders';
import { PageInput, pageInfo } from './models/common.model';
import {
  ActiveRentalsFilter,
  AdjustFineArgs,
  OverrideReturnVerificationArgs,
  RentalFineModel,
  RentalModel,
  RentalPage,
} from './models/rental.model';
import { PaymentModel } from './models/reservation.model';

const iso = (d: Date | null) => d?.toISOString() ?? null;

function toModel(r: Rental): RentalModel {
  return {
    id: r.reservationId,
    rentalStatus: r.rentalStatus,
    userId: r.userId,
    offeringId: r.offeringId,
    unitId: r.unitId,
    currency: r.currency,
    price: r.priceCents,
    deposit: r.depositCents,
    pickupAt: r.pickupAt.toISOString(),
    returnAt: r.returnAt.toISOString(),
    startedAt: iso(r.startedAt),
    returnedAt: iso(r.returnedAt),
    disputes: r.disputes,
    verifiedBy: r.verifiedBy,
    verificationNote: r.verificationNote,
    completedAt: iso(r.completedAt),
  };
}

/** Vehicle rentals: the active list, one rental, and the two admin decisions on a return (the REST admin routes' services). */
@Roles('admin')
@Resolver(() => RentalModel)
export class RentalsResolver {
  constructor(
    private readonly rentals: RentalsService,
    private readonly returns: RentalReturnService,
  ) {}

  @Query(() => RentalPage, { description: 'Rentals not yet completed, soonest pickup first' })
  async activeRentals(
    @Args('filter', { type: () => ActiveRentalsFilter, nullable: true }) filter: ActiveRentalsFilter | null,
    @Args('page', { type: () => PageInput, nullable: true }) page: PageInput | null,
  ): Promise<RentalPage> {
    const p = page ?? new PageInput();
    const { rentals, total } = await this.rentals.listActive(
      { status: filter?.status, userId: filter?.userId },
      p.limit,
      p.offset,
    );
    return { rentals: rentals.map(toModel), page: pageInfo(total, p) };
  }

  @Query(() => RentalModel, { description: 'One rental; RESERVATION_NOT_FOUND when there is none' })
  async rental(@Args('id', { type: () => ID }) id: string, @CurrentUser() admin: AuthUser): Promise<RentalModel> {
    return toModel(await this.rentals.rentalFor(admin, id));
  }

  @ResolveField(() => [RentalFineModel])
  async fines(@Parent() rental: RentalModel, @Context() ctx: AdminGraphqlContext): Promise<RentalFineModel[]> {
    const fines = await ctx.loaders.fines.load(rental.id);
    return fines.map((f) => ({
      kind: f.kind,
      amount: f.amountCents,
      assessed: f.assessedCents,
      reason: f.reason,
      setBy: f.setBy,
    }));
  }

  @ResolveField(() => [PaymentModel])
  async payments(@Parent() rental: RentalModel, @Context() ctx: AdminGraphqlContext): Promise<PaymentModel[]> {
    return (await ctx.loaders.money.load(rental.id)).payments.map(paymentView);
  }

  @Mutation(() => RentalModel, {
    description: 'Settle a disputed return (POST /v1/admin/rentals/{id}/verification): approve, or reject with a note. Audited.',
  })
  async overrideReturnVerification(
    @Args() input: OverrideReturnVerificationArgs,
    @CurrentUser() admin: AuthUser,
  ): Promise<RentalModel> {
    return toModel(await this.returns.verify(admin, input.rentalId, input.decision, input.note ?? null));
  }

  @Mutation(() => RentalModel, {
    description: 'Set what a fine is (PUT /v1/admin/rentals/{id}/fines/{kind}): lowered is waived, raised is charged. Audited.',
  })
  async adjustFine(@Args() input: AdjustFineArgs, @CurrentUser() admin: AuthUser): Promise<RentalModel> {
    return toModel(await this.returns.setFine(admin, input.rentalId, input.kind, input.amount, input.reason));
  }
}
