import { describe, expect, it } from '@jest/globals';
import { readdirSync } from 'node:fs';
import { EmailRenderer, TEMPLATES_DIR, formatMoney } from './email-renderer';
import { EMAIL_TEMPLATES, type ReservationEmailData } from './notifications.types';

const DATA: ReservationEmailData = {
  guestName: 'Zoë "<Admin>" & Co',
  reference: 'K7P2M9QX4T8C',
  lines: [
    { title: 'Harbour kayak tour', quantity: 2, startsAt: '2031-06-14T09:30:00.000Z' },
    { title: 'Cat carrier <XL>', quantity: 1, startDate: '2031-06-14', endDate: '2031-06-21' },
  ],
  totalCents: 123456,
  currency: 'EUR',
  refundCents: 0,
};

describe('EmailRenderer', () => {
  const renderer = new EmailRenderer();

  it("writes amounts in the currency's own minor units, as the locale writes them", () => {
    expect(formatMoney(123456, 'EUR', 'en-GB')).toBe('€1,234.56');
    expect(formatMoney(123456, 'EUR', 'de-DE')).toBe('1.234,56\u00a0€');
    expect(formatMoney(1000, 'JPY', 'en-GB')).toBe('JP¥1,000');
    expect(formatMoney(1234, 'KWD', 'en-GB')).toBe('KWD\u00a01.234');
    expect(formatMoney(999, 'USD', 'en-US')).toBe('$9.99');
  });

  it('escapes what the guest typed in the HTML part, and leaves the text part and subject plain', () => {
    const message = renderer.render('n-1', 'zoe@example.com', 'reservation_confirmed', DATA, 'en-GB');
    expect(message).toMatchObject({ id: 'n-1', to: 'zoe@example.com', subject: 'Your booking is confirmed (K7P2M9QX4T8C)' });
    expect(message.html).toContain('Zoë &quot;&lt;Admin&gt;&quot; &amp; Co');
    expect(message.html).toContain('Cat carrier &lt;XL&gt;');
    expect(message.html).not.toMatch(/<Admin>|<XL>/);
    expect(message.html).toMatch(/^<!doctype html>/);
    expect(message.text).toContain('Hello Zoë "<Admin>" & Co,');
    expect(message.text).toContain('- Cat carrier <XL>, Saturday, 14 June 2031 – Saturday, 21 June 2031');
    expect(message.text).toContain('Total: €1,234.56');
    expect(message.text).not.toMatch(/\n{3}/);
  });

  it('writes dates in the locale, times in UTC', () => {
    const message = renderer.render('n-2', 'x@example.com', 'reservation_confirmed', DATA, 'de-DE');
    expect(message.text).toContain('Samstag, 14. Juni 2031 um 09:30 UTC');
    expect(message.text).toContain('Total: 1.234,56\u00a0€');
  });

  it('says whether money goes back on a cancellation', () => {
    const none = renderer.render('n-3', 'x@example.com', 'reservation_cancelled', DATA, 'en-GB');
    expect(none.subject).toBe('Your booking K7P2M9QX4T8C is cancelled');
    expect(none.text).toContain('nothing is refunded');
    const refunded = renderer.render('n-4', 'x@example.com', 'reservation_cancelled', { ...DATA, refundCents: 5000 }, 'en-GB');
    expect(refunded.text).toContain('We are refunding €50.00 to the card you paid with.');
  });

  it('keeps the subject to one line whatever the data holds', () => {
    const message = renderer.render(
      'n-5',
      'x@example.com',
      'reservation_refunded',
      { ...DATA, reference: 'A\r\nBcc: evil@example.com' },
      'en-GB',
    );
    expect(message.subject).not.toMatch(/[\r\n]/);
  });

  it('has the three parts of every template EMAIL_TEMPLATES lists, and no template it does not list', () => {
    const files = readdirSync(TEMPLATES_DIR).filter((file) => !file.startsWith('_') && file !== 'layout.html.eta');
    const expected = EMAIL_TEMPLATES.flatMap((template) => ['html', 'subject', 'text'].map((part) => `${template}.${part}.eta`));
    expect(files.sort()).toEqual(expected.sort());
  });

  it.each(EMAIL_TEMPLATES)('renders %s from the facts every email has, with nothing undefined', (template) => {
    const message = renderer.render('n-6', 'x@example.com', template, DATA, 'en-GB');
    expect(message.subject).toMatch(/^\S.*\S$/);
    for (const part of [message.subject, message.text, message.html]) expect(part).not.toMatch(/undefined|NaN|\[object/);
    expect(message.html).toContain('Zoë &quot;&lt;Admin&gt;&quot; &amp; Co');
  });
});
