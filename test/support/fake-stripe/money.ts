import { invalidRequest } from './errors';

/** Stripe's minimum charge amounts in minor units (https://docs.stripe.com/currencies#minimum-and-maximum-charge-amounts). */
const MIN_CHARGE: Readonly<Record<string, number>> = {
  usd: 50,
  aed: 200,
  aud: 50,
  bgn: 100,
  brl: 50,
  cad: 50,
  chf: 50,
  czk: 1500,
  dkk: 250,
  eur: 50,
  gbp: 30,
  hkd: 400,
  huf: 17500,
  inr: 50,
  jpy: 50,
  mxn: 1000,
  myr: 200,
  nok: 300,
  nzd: 50,
  pln: 200,
  ron: 200,
  sek: 300,
  sgd: 50,
  thb: 1000,
};

/** The amount field holds at most eight digits. */
const MAX_AMOUNT = 99_999_999;

const ZERO_DECIMAL = new Set([
  'bif',
  'clp',
  'djf',
  'gnf',
  'jpy',
  'kmf',
  'krw',
  'mga',
  'pyg',
  'rwf',
  'ugx',
  'vnd',
  'vuv',
  'xaf',
  'xof',
  'xpf',
]);
const SYMBOLS: Readonly<Record<string, string>> = {
  usd: '$',
  aud: '$',
  cad: '$',
  nzd: '$',
  sgd: '$',
  hkd: '$',
  mxn: '$',
  eur: '€',
  gbp: '£',
  jpy: '¥',
};

/** `1050, 'eur'` -> `€10.50`, the way Stripe writes amounts in its messages. */
export function formatAmount(amount: number, currency: string): string {
  const major = ZERO_DECIMAL.has(currency)
    ? amount.toLocaleString('en-US')
    : (amount / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  return `${SYMBOLS[currency] ?? ''}${major}`;
}

/** `amount_too_small` / `amount_too_large` for a PaymentIntent amount. */
export function checkChargeAmount(amount: number, currency: string, param = 'amount'): void {
  const min = MIN_CHARGE[currency];
  if (min !== undefined && amount < min) {
    throw invalidRequest(`Amount must be at least ${formatAmount(min, currency)} ${currency}`, {
      code: 'amount_too_small',
      param,
    });
  }
  if (amount > MAX_AMOUNT) {
    throw invalidRequest(`Amount must be no more than ${formatAmount(MAX_AMOUNT, currency)} ${currency}`, {
      code: 'amount_too_large',
      param,
    });
  }
}
