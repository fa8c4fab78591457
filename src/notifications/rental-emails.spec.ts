import { describe, expect, it } from '@jest/globals';
import { EmailRenderer } from './email-renderer';
import type { EmailMessage, EmailTemplate, RentalEmailData, ReservationEmailData } from './notifications.types';

/**
 * A van returned late, under-fuelled and scratched: price 1,240.00, fines 30.00 + 9.00 +
 * 125.50 (due 1,404.50); 1,300.00 captured from the authorisation, 109.50 charged
 * separately, 5.00 refunded (a fine lowered after the charge): 1,404.50 paid.
 */
const RENTAL: RentalEmailData = {
  pickupAt: '2031-06-14T08:00:00.000Z',
  returnAt: '2031-06-16T18:00:00.000Z',
  priceCents: 124000,
  dueCents: 140450,
  capturedCents: 130000,
  chargedCents: 10950,
  refundedCents: 500,
  owedCents: 0,
  fines: [
    { kind: 'late', amountCents: 3000, reason: '2 started hour(s) late after the grace' },
    { kind: 'refuel', amountCents: 900, reason: '18% below pickup' },
    { kind: 'damage', amountCents: 12550, reason: 'Scratch on the <rear> bumper & door' },
  ],
};

const DATA: ReservationEmailData = {
  guestName: 'Mallory <script>alert("x")</script>',
  reference: 'K7P2M9QX4T8C',
  lines: [{ title: 'Van <L2H2>', quantity: 1, startDate: '2031-06-14', endDate: '2031-06-16' }],
  totalCents: 124000,
  currency: 'EUR',
  refundCents: 0,
  rental: RENTAL,
};

/** The two readers: a British guest paying in euros, an American one paying in dollars. */
const LOCALES = [
  {
    locale: 'en-GB',
    currency: 'EUR',
    m: { price: '€1,240.00', late: '€30.00', refuel: '€9.00', damage: '€125.50', due: '€1,404.50' },
    paid: { captured: '€1,300.00', charged: '€109.50', refunded: '€5.00', total: '€1,404.50', owed: '€109.50' },
    pickup: 'Saturday, 14 June 2031 at 08:00 UTC',
    deadline: /Friday, 13 June 2031 at 08:00 UTC/,
  },
  {
    locale: 'en-US',
    currency: 'USD',
    m: { price: '$1,240.00', late: '$30.00', refuel: '$9.00', damage: '$125.50', due: '$1,404.50' },
    paid: { captured: '$1,300.00', charged: '$109.50', refunded: '$5.00', total: '$1,404.50', owed: '$109.50' },
    pickup: /Saturday, June 14, 2031 at 8:00\sAM UTC/,
    deadline: /Friday, June 13, 2031 at 8:00\sAM UTC/,
  },
] as const;

/** An HTML table row: a label cell, then the amount's cell (bold or not). */
const htmlRow = (label: string, amount: string) =>
  new RegExp(`${label}</td>\\s*<td[^>]*>(<strong>)?${amount.replace(/[$.]/g, '\\$&')}(</strong>)?</td>`);

/** Nothing left over from a missing part: no undefined/null, no empty brackets, no dangling punctuation, no runs of blank lines. */
function expectClean(message: EmailMessage): void {
  for (const part of [message.subject, message.text, message.html]) {
    expect(part).not.toMatch(/undefined|null|NaN|\[object/);
    expect(part).not.toMatch(/\(\s*\)|\s[.,:;]|::/);
  }
  expect(message.text).not.toMatch(/\n{3}/);
  expect(message.text).not.toMatch(/[ \t]\n/);
  expect(message.html).not.toMatch(/<(strong|p|td)[^>]*>\s*<\/\1>/);
}

describe('the rental emails', () => {
  const renderer = new EmailRenderer();
  const render = (template: EmailTemplate, data: ReservationEmailData, locale = 'en-GB') =>
    renderer.render('n-1', 'mallory@example.com', template, data, locale);

  describe.each(LOCALES)('in $locale, paid in $currency', ({ locale, currency, m, paid, pickup, deadline }) => {
    const data = { ...DATA, currency };

    it('rental_completed: the receipt, line by line, in text and HTML', () => {
      const message = render('rental_completed', data, locale);
      expect(message.subject).toBe('Your receipt for rental K7P2M9QX4T8C');
      const { text, html } = message;
      expect(text).toContain('- Van <L2H2>, ');
      expect(text).toMatch(new RegExp(`Pickup: ${typeof pickup === 'string' ? pickup : pickup.source}\\nReturn: `));
      expect(text).toContain(
        [
          `Rental price: ${m.price}`,
          'Fines:',
          `- Late return: ${m.late} (2 started hour(s) late after the grace)`,
          `- Refuelling: ${m.refuel} (18% below pickup)`,
          `- Damage: ${m.damage} (Scratch on the <rear> bumper & door)`,
          `Total due: ${m.due}`,
          '',
          `Captured from the amount held on your card: ${paid.captured}`,
          `Charged to your card separately: ${paid.charged}`,
          `Refunded to your card: ${paid.refunded}`,
          `Total paid: ${paid.total}`,
        ].join('\n'),
      );
      expect(text).toContain('Refunds usually reach your account within 5 to 10 days.');
      expect(text).not.toContain('Still to pay');

      expect(html).toMatch(htmlRow('Rental price', m.price));
      expect(html).toMatch(
        htmlRow('Late return<br><span style="color: #616e7c;">2 started hour\\(s\\) late after the grace</span>', m.late),
      );
      expect(html).toMatch(htmlRow('Refuelling<br><span style="color: #616e7c;">18% below pickup</span>', m.refuel));
      expect(html).toMatch(
        htmlRow('Damage<br><span style="color: #616e7c;">Scratch on the &lt;rear&gt; bumper &amp; door</span>', m.damage),
      );
      expect(html).toMatch(htmlRow('Total due', m.due));
      expect(html).toMatch(htmlRow('Captured from the amount held on your card', paid.captured));
      expect(html).toMatch(htmlRow('Charged to your card separately', paid.charged));
      expect(html).toMatch(htmlRow('Refunded to your card', paid.refunded));
      expect(html).toMatch(htmlRow('Total paid', paid.total));
      expect(html).toMatch(pickup);
      expect(html).toContain(`<html lang="${locale}">`);
      expectClean(message);
    });

    it('rental_payment_failed: what is owed, for which fines, where to pay, and the retries', () => {
      const message = render('rental_payment_failed', { ...data, rental: { ...RENTAL, owedCents: 10950 } }, locale);
      expect(message.subject).toBe('We could not charge your card for rental K7P2M9QX4T8C');
      const { text, html } = message;
      expect(text).toContain(`the payment was declined. You still owe ${paid.owed} towards these fines:`);
      expect(text).toContain(
        [
          `- Late return: ${m.late} (2 started hour(s) late after the grace)`,
          `- Refuelling: ${m.refuel} (18% below pickup)`,
          `- Damage: ${m.damage} (Scratch on the <rear> bumper & door)`,
        ].join('\n'),
      );
      for (const part of [text, html]) {
        expect(part).toContain('Please pay what you owe in the app');
        expect(part).toContain('we will try your card again over the next 72 hours');
      }
      expect(html).toContain(`You still owe <strong>${paid.owed}</strong> towards these fines:`);
      expect(html).toMatch(
        htmlRow('Late return<br><span style="color: #616e7c;">2 started hour\\(s\\) late after the grace</span>', m.late),
      );
      expect(html).toMatch(htmlRow('Refuelling<br><span style="color: #616e7c;">18% below pickup</span>', m.refuel));
      expect(html).toMatch(
        htmlRow('Damage<br><span style="color: #616e7c;">Scratch on the &lt;rear&gt; bumper &amp; door</span>', m.damage),
      );
      // Not a receipt: nothing about what was captured or paid.
      expect(text).not.toMatch(/Captured|Total paid|Rental price/);
      expectClean(message);
    });

    it('rental_action_required: confirm in the app before the deadline, or the booking is cancelled and nothing charged', () => {
      const message = render(
        'rental_action_required',
        { ...data, rental: { ...RENTAL, actionDeadline: '2031-06-13T08:00:00.000Z' } },
        locale,
      );
      expect(message.subject).toBe('Confirm the payment for rental K7P2M9QX4T8C');
      for (const part of [message.text, message.html]) {
        expect(part).toContain('3-D Secure');
        expect(part).toMatch(
          new RegExp(`Open the app and confirm the payment before (<strong>)?${deadline.source}(</strong>)?\\.`),
        );
        expect(part).toContain('Otherwise the booking is cancelled and nothing is charged.');
        expect(part).toMatch(pickup);
        expect(part).toContain(m.price);
      }
      expectClean(message);
    });
  });

  it('escapes the guest name and what admins typed in the HTML part of every rental email', () => {
    for (const template of ['rental_completed', 'rental_payment_failed', 'rental_action_required'] as const) {
      const { html, text } = render(template, DATA);
      expect(html).toContain('Hello Mallory &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;,');
      expect(html).not.toMatch(/<script|<rear>|<L2H2>/);
      expect(text).toContain('Hello Mallory <script>alert("x")</script>,');
    }
  });

  it('a receipt with no fines, charge, refund or debt leaves those lines out', () => {
    const bare: RentalEmailData = {
      pickupAt: RENTAL.pickupAt,
      returnAt: RENTAL.returnAt,
      priceCents: 124000,
      dueCents: 124000,
      capturedCents: 124000,
      chargedCents: 0,
      refundedCents: 0,
      owedCents: 0,
      fines: [],
    };
    const message = render('rental_completed', { ...DATA, rental: bare }, 'en-US');
    expect(message.text).toContain(
      'Rental price: €1,240.00\n\nCaptured from the amount held on your card: €1,240.00\nTotal paid: €1,240.00\n',
    );
    for (const part of [message.text, message.html]) {
      expect(part).not.toMatch(/Fines|Total due|Charged|Refund|Still to pay/);
      expect(part).toContain('Anything else held on your card for this rental is released');
    }
    expectClean(message);
  });

  it('a receipt says what is still to pay, if anything is', () => {
    const message = render('rental_completed', { ...DATA, rental: { ...RENTAL, owedCents: 2500 } });
    expect(message.text).toContain('Total paid: €1,404.50\nStill to pay: €25.00. You can pay it in the app.');
    expect(message.html).toMatch(htmlRow('Still to pay', '€25.00'));
    expectClean(message);
  });

  it('a declined charge with no fine listed, or nothing owed on record, still reads as a sentence', () => {
    const noFines = render('rental_payment_failed', { ...DATA, rental: { ...RENTAL, fines: [], owedCents: 10950 } });
    expect(noFines.text).toContain('the payment was declined. You still owe €109.50.\n');
    expect(noFines.text).not.toContain('fines');
    expectClean(noFines);
    const noOwed = render('rental_payment_failed', DATA);
    expect(noOwed.text).toContain('the payment was declined. It is for these fines:\n');
    expect(noOwed.text).not.toContain('You still owe');
    expectClean(noOwed);
  });

  it('without a deadline or pickup time, the action email asks for it as soon as possible and names no time', () => {
    const { pickupAt: _pickup, returnAt: _return, ...rest } = RENTAL;
    const message = render('rental_action_required', { ...DATA, rental: rest });
    for (const part of [message.text, message.html]) {
      expect(part).toContain('Open the app and confirm the payment as soon as you can. Otherwise the booking is cancelled');
      expect(part).not.toMatch(/before <|before \w+day|Pickup|Return|UTC/);
    }
    expectClean(message);
  });

  it('names every kind of fine in words, and any kind it does not know as "Other"', () => {
    const kinds = ['late', 'refuel', 'distance', 'damage', 'cleaning', 'other', 'toString', 'tyres'];
    const fines = kinds.map((kind, i) => ({ kind, amountCents: 100 * (i + 1), reason: '' }));
    const { text, html } = render('rental_payment_failed', { ...DATA, rental: { ...RENTAL, fines, owedCents: 3600 } });
    expect(text).toContain(
      [
        '- Late return: €1.00',
        '- Refuelling: €2.00',
        '- Distance over the allowance: €3.00',
        '- Damage: €4.00',
        '- Cleaning: €5.00',
        '- Other: €6.00',
        '- Other: €7.00',
        '- Other: €8.00',
      ].join('\n'),
    );
    expect(html).toMatch(htmlRow('Distance over the allowance', '€3.00'));
    expect(html).not.toContain('<br><span style="color: #616e7c;"></span>'); // no empty reason
  });

  it('writes amounts in the currency’s own minor units: yen have none', () => {
    const yen: RentalEmailData = {
      ...RENTAL,
      priceCents: 12000,
      capturedCents: 12000,
      chargedCents: 0,
      refundedCents: 0,
      fines: [],
    };
    const { text } = render('rental_completed', { ...DATA, currency: 'JPY', rental: yen });
    expect(text).toContain('Rental price: JP¥12,000\n');
    expect(text).toContain('Total paid: JP¥12,000\n');
  });

  it('renders without the rental facts at all (a notification queued without them) rather than fail for good', () => {
    const { rental: _rental, ...plain } = DATA;
    for (const template of ['rental_completed', 'rental_payment_failed', 'rental_action_required'] as const) {
      const message = render(template, plain);
      expect(message.text).toContain('Hello Mallory');
      expect(message.text).toContain('- Van <L2H2>');
      expectClean(message);
    }
  });
});
