import { fileURLToPath } from 'node:url';
import { Eta } from 'eta';
import { minorUnitDigits } from '@holdfast/money';
import type {
  EmailLine,
  EmailMessage,
  EmailTemplate,
  EmailVehicle,
  RentalEmailData,
  ReservationEmailData,
} from './notifications.types';

/** Where the templates are: beside this file (the build copies them to dist/). */
export const TEMPLATES_DIR = fileURLToPath(new URL('./templates/', import.meta.url));

/** What a template sees: the facts, already written for the reader's locale. */
interface EmailView {
  lang: string;
  guestName: string;
  reference: string | null;
  lines: { title: string; quantity: number; when: string | null }[];
  total: string;
  refund: string | null;
  holdExpiresAt: string | null;
  shipment: { carrier: string; trackingNumber: string } | null;
  rental: RentalView | null;
  /** booking_moved / booking_displaced: the vehicles as the customer knows them ("Model (plate X)"), null when none. */
  vehicleFrom: string | null;
  vehicleTo: string | null;
}

/**
 * A vehicle rental as the rental_* templates see it: amounts formatted, instants written
 * out; an optional amount that is zero is null, so a template leaves its line out.
 */
interface RentalView {
  pickupAt: string | null;
  returnAt: string | null;
  price: string;
  due: string;
  captured: string;
  charged: string | null;
  refunded: string | null;
  owed: string | null;
  /** Captured plus charged less refunded. */
  paid: string;
  fines: { kind: string; amount: string; reason: string }[];
  actionDeadline: string | null;
}

/** A fine's kind in the customer's words (the rentals module's FINE_KINDS); a kind not listed reads "Other". */
const FINE_KIND_WORDS: Record<string, string> = {
  late: 'Late return',
  refuel: 'Refuelling',
  distance: 'Distance over the allowance',
  damage: 'Damage',
  cleaning: 'Cleaning',
  other: 'Other',
};

/**
 * Renders an email from its three templates (`<template>.subject.eta`, `.text.eta`,
 * `.html.eta`, with Eta): the HTML escaped, the text and subject not (they are not HTML;
 * the subject is folded to one line). Amounts and dates are written for `locale`
 * (amounts in the currency's own minor units: 1,000 JPY, 10.00 EUR); times in UTC, named.
 */
export class EmailRenderer {
  private readonly html = new Eta({ views: TEMPLATES_DIR, autoEscape: true, cache: true });
  private readonly plain = new Eta({ views: TEMPLATES_DIR, autoEscape: false, cache: true, autoTrim: false });

  render(id: string, to: string, template: EmailTemplate, data: ReservationEmailData, locale: string): EmailMessage {
    const view = toView(data, locale);
    const subject = this.plain.render(`./${template}.subject.eta`, view).replace(/\s+/g, ' ').trim();
    return {
      id,
      to,
      subject,
      text:
        this.plain
          .render(`./${template}.text.eta`, view)
          .replace(/\n{3,}/g, '\n\n')
          .trim() + '\n',
      html: this.html.render(`./${template}.html.eta`, { ...view, subject }),
    };
  }
}

function toView(data: ReservationEmailData, locale: string): EmailView {
  const money = (cents: number) => formatMoney(cents, data.currency, locale);
  return {
    lang: locale,
    guestName: data.guestName,
    reference: data.reference,
    lines: data.lines.map((line) => ({ title: line.title, quantity: line.quantity, when: when(line, locale) })),
    total: money(data.totalCents),
    refund: data.refundCents ? money(data.refundCents) : null,
    holdExpiresAt: data.holdExpiresAt ? formatInstant(data.holdExpiresAt, locale) : null,
    shipment: data.shipment ?? null,
    rental: data.rental ? rentalView(data.rental, money, locale) : null,
    vehicleFrom: vehicleName(data.vehicleChange?.from),
    vehicleTo: vehicleName(data.vehicleChange?.to),
  };
}

function vehicleName(vehicle: EmailVehicle | null | undefined): string | null {
  if (!vehicle) return null;
  const name = vehicle.model ?? vehicle.label;
  return vehicle.plate ? `${name} (plate ${vehicle.plate})` : name;
}

function rentalView(rental: RentalEmailData, money: (cents: number) => string, locale: string): RentalView {
  const instant = (iso: string | undefined) => (iso ? formatInstant(iso, locale) : null);
  const ifAny = (cents: number) => (cents ? money(cents) : null);
  return {
    pickupAt: instant(rental.pickupAt),
    returnAt: instant(rental.returnAt),
    price: money(rental.priceCents),
    due: money(rental.dueCents),
    captured: money(rental.capturedCents),
    charged: ifAny(rental.chargedCents),
    refunded: ifAny(rental.refundedCents),
    owed: ifAny(rental.owedCents),
    paid: money(rental.capturedCents + rental.chargedCents - rental.refundedCents),
    fines: rental.fines.map((fine) => ({
      kind: Object.hasOwn(FINE_KIND_WORDS, fine.kind) ? FINE_KIND_WORDS[fine.kind] : FINE_KIND_WORDS.other,
      amount: money(fine.amountCents),
      reason: fine.reason.trim(),
    })),
    actionDeadline: instant(rental.actionDeadline),
  };
}

/** An amount in minor units as the locale writes that currency: `formatMoney(123456, 'EUR', 'de-DE')` is `1.234,56 €`. */
export function formatMoney(minor: number, currency: string, locale: string): string {
  const digits = minorUnitDigits(currency);
  return new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minor / 10 ** digits);
}

function formatInstant(iso: string, locale: string): string {
  return (
    new Intl.DateTimeFormat(locale, {
      dateStyle: 'full',
      timeStyle: 'short',
      timeZone: 'UTC',
    }).format(new Date(iso)) + ' UTC'
  );
}

function formatDate(isoDate: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full', timeZone: 'UTC' }).format(new Date(`${isoDate}T00:00:00Z`));
}

function when(line: EmailLine, locale: string): string | null {
  if (line.startsAt) return formatInstant(line.startsAt, locale);
  if (line.startDate && line.endDate) return `${formatDate(line.startDate, locale)} – ${formatDate(line.endDate, locale)}`;
  return null;
}
