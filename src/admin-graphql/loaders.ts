import DataLoader from 'dataloader';
import type { PaymentSummary, ReservationPayments } from '../payments/payment-status';
import type { PaymentsService } from '../payments/payments.service';
import type { RentalFine } from '../rentals/rentals.types';
import type { RentalsService } from '../rentals/rentals.service';

/**
 * Per-request batch loaders (DataLoader): every rental of a response gets its payments
 * and fines from one query each, whatever the page size (no N+1). A new set per request,
 * so nothing is cached across requests or admins.
 */
export interface Loaders {
  money: DataLoader<string, ReservationPayments>;
  fines: DataLoader<string, RentalFine[]>;
}

export function createLoaders(payments: PaymentsService, rentals: RentalsService): Loaders {
  return {
    money: new DataLoader(async (ids: readonly string[]) => {
      const byId = await payments.forReservations([...ids]);
      return ids.map((id) => byId.get(id) ?? { paymentStatus: 'none', payments: [], refunds: [] });
    }),
    fines: new DataLoader(async (ids: readonly string[]) => {
      const byId = await rentals.finesOf([...ids]);
      return ids.map((id) => byId.get(id) ?? []);
    }),
  };
}

/** What each resolver receives as its GraphQL context. */
export interface AdminGraphqlContext {
  req: { user?: { sub: string; roles: string[] }; headers: Record<string, unknown> };
  res: unknown;
  loaders: Loaders;
}

export const paymentView = (p: PaymentSummary) => ({
  paymentId: p.paymentId,
  status: p.status,
  purpose: p.purpose,
  amount: p.amount,
  currency: p.currency,
  captured: p.captured,
  refunded: p.refunded,
  intentId: p.intentId,
  createdAt: p.createdAt.toISOString(),
});
