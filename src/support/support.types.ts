export const SUPPORT_CASE_STATUSES = ['open', 'resolved'] as const;
export type SupportCaseStatus = (typeof SUPPORT_CASE_STATUSES)[number];

/** A support case: a failure that needs a person, and what the person did about it. */
export interface SupportCase {
  id: string;
  /** What failed, in the opener's words, e.g. `ims_confirmation_failed`, `fine_charge_failed`. */
  kind: string;
  reservationId: string | null;
  status: SupportCaseStatus;
  /** What the person needs to know (ids, amounts, the error); never card data or secrets. */
  details: Record<string, unknown>;
  openedAt: Date;
  resolvedAt: Date | null;
  /** The admin who resolved it (token subject). */
  resolvedBy: string | null;
  resolution: string | null;
}
