import { describe, expect, it } from '@jest/globals';
import type { ArgumentMetadata } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { AppError, createValidationPipe } from '@holdfast/errors';
import { acceptHoldRequest } from './hold-request.fast';
import { HoldRequestDto } from './hold.dto';

/**
 * The fast acceptor agrees with the validation pipe (class-validator, the contract): when
 * it accepts a body, the pipe accepts it too and returns a deep-equal instance of the same
 * class, keys in the same order; when the pipe refuses a body, the acceptor declines it.
 * (It may decline what the pipe accepts: class-validator then decides, as before.)
 */

const realPipe = createValidationPipe(); // no fast paths: class-transformer + class-validator only
const fastPipe = createValidationPipe(new Map([[HoldRequestDto, acceptHoldRequest]]));
const BODY: ArgumentMetadata = { type: 'body', metatype: HoldRequestDto };

type Outcome = 'accepted' | 'declined, pipe accepts' | 'declined, pipe refuses';

/** Runs both on `body`; returns how it went, or throws a readable message on a disagreement. */
async function compare(body: unknown): Promise<Outcome> {
  const fast = acceptHoldRequest(body); // first: the pipe may delete keys (__proto__, constructor)
  const real = await realPipe.transform(body, BODY).then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
  if (!real.ok) {
    if (!(real.error instanceof AppError) || real.error.code !== 'VALIDATION_FAILED') throw real.error;
    if (fast !== null) throw new Error(`accepted what the pipe refuses: ${show(body)}`);
    return 'declined, pipe refuses';
  }
  if (fast === null) return 'declined, pipe accepts';
  if (Object.getPrototypeOf(fast) !== Object.getPrototypeOf(real.value)) throw new Error(`another class for ${show(body)}`);
  expect(fast).toStrictEqual(real.value);
  expect(Object.keys(fast)).toEqual(Object.keys(real.value as object));
  return 'accepted';
}

/** Compares every body; fails listing each disagreement; returns each outcome, and their counts. */
async function compareAll(bodies: unknown[]): Promise<{ outcomes: Outcome[]; counts: Record<Outcome, number> }> {
  const counts: Record<Outcome, number> = { accepted: 0, 'declined, pipe accepts': 0, 'declined, pipe refuses': 0 };
  const outcomes: Outcome[] = [];
  const disagreements: string[] = [];
  for (const body of bodies) {
    try {
      const outcome = await compare(body);
      outcomes.push(outcome);
      counts[outcome]++;
    } catch (error) {
      disagreements.push(`${show(body)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  expect(disagreements).toEqual([]);
  return { outcomes, counts };
}

const show = (body: unknown): string => {
  try {
    const text = JSON.stringify(body, (_key, value: unknown) => (value === undefined ? '<undefined>' : value));
    return text === undefined ? String(body) : text.length > 300 ? `${text.slice(0, 300)}...` : text;
  } catch {
    return String(body);
  }
};

/** What the app receives for a body a test sends through supertest (undefined values dropped). */
const wire = (body: unknown): unknown => JSON.parse(JSON.stringify(body) ?? 'null') as unknown;

const UUID_A = '3f1c2b9e-8d4a-4c1e-9b2f-7a6d5e4c3b2a';
const UUID_B = '9b2f3c1e-4d0a-4f3e-9a51-0c7f1b6e2d11';
const NUL = '\u0000';
const guest = { guestName: 'John Doe', guestEmail: 'john@example.com' };
const seed = { experienceId: UUID_A, timeSlotId: UUID_B, numberOfGuests: 1, ...guest };
const deep = (depth: number): string => `${'['.repeat(depth)}1${']'.repeat(depth)}`;

/** Seed 004's example hold body, the form the mobile app sends (DESIGN.md section 4). */
const SEED_004_BODY = {
  experienceId: UUID_A,
  timeSlotId: UUID_B,
  numberOfGuests: 2,
  guestName: 'John Doe',
  guestEmail: 'john@example.com',
  guestPhone: '+1234567890',
  specialRequests: '...',
};

/**
 * Hold bodies the e2e tests send, valid and not: the test file, the body, and whether the
 * fast path takes it as the app receives it (`fast`) or class-validator decides (`pipe`).
 */
const TESTED_BODIES: [string, unknown, 'fast' | 'pipe'][] = [
  ['seed 004 example', SEED_004_BODY, 'fast'],
  ['reservations: priced seed example', { ...seed, numberOfGuests: 2, guestPhone: '+1234567890' }, 'fast'],
  ['reservations: unknown slot', { ...seed, timeSlotId: '0d6f4a52-0b5e-4c6e-8a2e-1f3b9c7d5e4a' }, 'fast'],
  ['reservations: too many guests for the slot', { ...seed, numberOfGuests: 4 }, 'fast'],
  ['reservations: 0 guests', { ...seed, numberOfGuests: 0 }, 'pipe'],
  ['reservations: 51 guests', { ...seed, numberOfGuests: 51 }, 'pipe'],
  ['reservations: bad email', { ...seed, guestEmail: 'not-an-email' }, 'pipe'],
  ['reservations: unknown field', { ...seed, surprise: true }, 'pipe'],
  ['reservations: experienceId undefined (not sent)', { ...seed, experienceId: undefined }, 'fast'],
  ['reservations: guest only (the service refuses it)', { ...guest }, 'fast'],
  ['reservations: cart of one slot', { ...guest, items: [{ offeringId: UUID_A, timeSlotId: UUID_B, quantity: 2 }] }, 'pipe'],
  ['reservations: rental', { ...guest, items: [{ offeringId: UUID_A, startDate: '2031-06-14', endDate: '2031-06-16' }] }, 'pipe'],
  ['rentals: zero nights', { ...guest, items: [{ offeringId: UUID_A, startDate: '2030-01-05', endDate: '2030-01-05' }] }, 'pipe'],
  ['hostile-input: NUL in guestName', { ...seed, guestName: `John${NUL}Doe` }, 'pipe'],
  ['hostile-input: NUL in specialRequests', { ...seed, specialRequests: `window${NUL}` }, 'pipe'],
  ['hostile-input: NUL in a sku', { items: [{ offeringId: UUID_A, sku: `NUL-SKU-1${NUL}`, quantity: 1 }], ...guest }, 'pipe'],
  ['hostile-input: same without NUL', { ...seed, guestName: 'John Doe', specialRequests: 'window' }, 'fast'],
  ['hostile-input: guestName of spaces', { ...seed, guestName: '   ' }, 'pipe'],
  ['hostile-input: guestName of tab and newline', { ...seed, guestName: '\t\n ' }, 'pipe'],
  ['hostile-input: padded guestName', { ...seed, guestName: '  John Doe  ' }, 'fast'],
  ['hostile-input: 50 guests', { ...seed, numberOfGuests: 50 }, 'fast'],
  ['hostile-input: cart of 50', { items: [{ offeringId: UUID_A, timeSlotId: UUID_B, quantity: 50 }], ...guest }, 'pipe'],
  ['hostile-input: 50 of a sku', { items: [{ offeringId: UUID_A, sku: 'MAX-STOCK-1', quantity: 50 }], ...guest }, 'pipe'],
  [
    'hold-one-statement, holds-concurrency: seed form',
    { ...seed, guestName: 'Fast Lane', guestEmail: 'fast@example.com' },
    'fast',
  ],
  [
    'holds-concurrency: two-line cart',
    {
      ...guest,
      items: [
        { offeringId: UUID_A, timeSlotId: UUID_B },
        { offeringId: UUID_B, sku: 'A-1' },
      ],
    },
    'pipe',
  ],
  ['notifications: markup in guestName', { ...seed, numberOfGuests: 2, guestName: 'Jane <b>Doe</b>' }, 'fast'],
  ['rental-emails: script in guestName', { ...seed, guestName: 'Eve <script>document.cookie</script>' }, 'fast'],
  ['events: guestPhone', { ...seed, guestName: 'Jane Private', guestPhone: '+15551234567' }, 'fast'],
  ['seed002-api: guestPhone', { ...seed, guestPhone: '+33123456789' }, 'fast'],
  ['demo-catalog: one-letter name', { ...seed, numberOfGuests: 5, guestName: 'A', guestEmail: 'a@example.com' }, 'fast'],
  ['stripe-app: guests first', { numberOfGuests: 1, experienceId: UUID_A, timeSlotId: UUID_B, ...guest }, 'fast'],
];

/** Hold bodies the e2e tests send as JSON text (too deep to build and send as objects). */
const TESTED_TEXTS: [string, string][] = [
  [
    'hostile-input: 5,000 nested arrays as guestName',
    `{"guestName":${deep(5000)},"guestEmail":"john@example.com","items":${deep(10)}}`,
  ],
  ['hostile-input: 5,000 nested arrays as the body', deep(5000)],
];

describe('acceptHoldRequest, the hold route fast acceptor', () => {
  it('was written for exactly these decorators of HoldRequestDto (change both together)', () => {
    const storage = getMetadataStorage();
    const rules = storage
      .getTargetValidationMetadatas(HoldRequestDto, '', true, false)
      .map((m) => {
        const name = m.constraintCls ? storage.getTargetValidatorConstraints(m.constraintCls)[0]?.name : m.name;
        const args = m.type === 'conditionalValidation' ? '' : (m.constraints ?? []).map(String).join(', ');
        return `${m.propertyName} ${name ?? m.type}(${args})${m.each ? ' each' : ''}`;
      })
      .sort();
    expect(rules).toEqual(
      [
        'experienceId isOptional()',
        'experienceId isUuid(all)',
        'timeSlotId isOptional()',
        'timeSlotId isUuid(all)',
        'numberOfGuests isOptional()',
        'numberOfGuests isInt()',
        'numberOfGuests min(1)',
        'numberOfGuests max(50)',
        'items isOptional()',
        'items isArray()',
        'items arrayMinSize(1)',
        'items arrayMaxSize(20)',
        'items nestedValidation() each',
        'guestName isString()',
        'guestName minLength(1)',
        'guestName maxLength(200)',
        'guestEmail isEmail(undefined)', // no options
        'guestEmail maxLength(254)',
        'guestPhone isOptional()',
        `guestPhone matches(${String(/^\+?[0-9 ()-]{5,32}$/)}, undefined)`, // no modifiers
        'specialRequests isOptional()',
        'specialRequests isString()',
        'specialRequests maxLength(1000)',
      ].sort(),
    );
  });

  it('accepts the seed-form body the mobile app sends, as the instance the pipe builds (the fast path is real)', async () => {
    const body = Object.freeze({ ...SEED_004_BODY });
    const accepted = acceptHoldRequest(body); // frozen: it never writes to the body
    expect(accepted).toBeInstanceOf(HoldRequestDto);
    expect(await compare(body)).toBe('accepted');
    expect(acceptHoldRequest({ ...SEED_004_BODY, guestName: '  John Doe ' })).toMatchObject({ guestName: 'John Doe' });
  });

  it('the app pipe returns the acceptor instance for such a body, and class-validator still decides the rest', async () => {
    const fast = (await fastPipe.transform({ ...SEED_004_BODY }, BODY)) as HoldRequestDto;
    expect(fast).toBeInstanceOf(HoldRequestDto);
    expect(fast).toStrictEqual(await realPipe.transform({ ...SEED_004_BODY }, BODY));
    // Declined bodies get class-validator's answer, messages included.
    const refused = (body: unknown) =>
      fastPipe.transform(body, BODY).then(
        () => undefined,
        (e: unknown) => e as AppError,
      );
    expect((await refused({ ...seed, numberOfGuests: 0 }))?.details).toEqual([
      { field: 'numberOfGuests', message: 'numberOfGuests must not be less than 1' },
    ]);
    expect((await refused({ ...seed, guestName: '   ' }))?.details).toEqual([
      { field: 'guestName', message: 'guestName must not be blank' },
    ]);
    expect((await refused({ ...seed, surprise: true }))?.details).toEqual([
      { field: 'surprise', message: 'property surprise should not exist' },
    ]);
    expect((await refused({ ...seed, guestName: `a${NUL}` }))?.details).toEqual([
      { field: 'guestName', message: 'guestName must not contain a NUL character' },
    ]);
    const cart = { ...guest, items: [{ offeringId: UUID_A, timeSlotId: UUID_B, quantity: 2 }] };
    const viaPipe = (await fastPipe.transform(cart, BODY)) as HoldRequestDto;
    expect(viaPipe.items?.[0]?.constructor.name).toBe('HoldItemDto'); // built by class-transformer
  });

  it('agrees with the pipe on every hold body the tests send, as sent and as received', async () => {
    await compareAll([
      ...TESTED_BODIES.flatMap(([, body]) => [body, wire(body)]),
      ...TESTED_TEXTS.map(([, text]) => JSON.parse(text)),
    ]);
    const decided = TESTED_BODIES.map(([label, body]) => [label, acceptHoldRequest(wire(body)) === null ? 'pipe' : 'fast']);
    expect(decided).toEqual(TESTED_BODIES.map(([label, , by]) => [label, by]));
  });
});

/** A deterministic PRNG (mulberry32), so the sweep is the same bodies on every run. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An email of exactly `length` characters: a 64-character local part, labels of at most 63. */
function emailOf(length: number): string {
  let host = '';
  let left = length - 64 - 1 - '.com'.length;
  while (left > 0) {
    if (host) {
      host += '.';
      left--;
    }
    const size = Math.min(63, left);
    host += 'b'.repeat(size);
    left -= size;
  }
  return `${'a'.repeat(64)}@${host}.com`;
}

/** Leaves the key out of the body (distinct from a key whose value is undefined): valid for the optional fields. */
const ABSENT = Symbol('absent');
const ODD = [null, undefined, [], {}, true];

/** Each field's candidates: `valid` ones (by the DTO, before trimming) and the rest. */
const FIELDS: Record<string, { valid: unknown[]; other: unknown[] }> = {
  experienceId: {
    valid: [UUID_A, UUID_A.toUpperCase(), '00000000-0000-0000-0000-000000000000', ABSENT],
    other: [
      '',
      '   ',
      ` ${UUID_A}`,
      UUID_A.replaceAll('-', ''),
      UUID_A.slice(0, 35),
      `{${UUID_A}}`,
      'not-a-uuid',
      123,
      [UUID_A],
      ...ODD,
    ],
  },
  timeSlotId: {
    valid: [UUID_B, 'ffffffff-ffff-ffff-ffff-ffffffffffff', 'a8098c1a-f86e-11da-bd1a-00112444be1e', ABSENT],
    other: [`${UUID_B}\n`, UUID_B.replace('9', 'g'), '', 7, ...ODD],
  },
  numberOfGuests: {
    valid: [1, 2, 49, 50, ABSENT],
    other: [0, -1, 51, 1.5, 49.999, '2', '', -0, 1e21, 2 ** 53, Number.NaN, Number.POSITIVE_INFINITY, [2], ...ODD],
  },
  guestName: {
    valid: [
      'John Doe',
      'A',
      '  John Doe  ',
      'x'.repeat(200),
      ` ${'x'.repeat(200)}\n`,
      '😀'.repeat(200),
      '❤️'.repeat(200),
      '\u200b',
    ],
    other: [
      '',
      '   ',
      '\t\n ',
      '\u00a0\ufeff',
      'x'.repeat(201),
      '😀'.repeat(201),
      `${'x'.repeat(199)}😀😀`,
      '\ud83d'.repeat(201),
      42,
      ['John'],
      ABSENT,
      ...ODD,
    ],
  },
  guestEmail: {
    valid: ['john@example.com', 'JOHN@EXAMPLE.COM', 'user+tag@example.co.uk', 'jöhn@exämple.com', emailOf(254)],
    other: ['not-an-email', '', '   ', ' john@example.com', 'john@example', 'john@[127.0.0.1]', emailOf(255), 7, ABSENT, ...ODD],
  },
  guestPhone: {
    valid: ['+1234567890', '12345', '(555) 123-4567', `+${'1'.repeat(32)}`, '     ', ABSENT],
    other: ['1234', '1'.repeat(33), '+1234567890\n', '+12 345 ext 6', '１２３４５', '', 1234567890, ...ODD],
  },
  specialRequests: {
    valid: ['window', '', '   ', 'x'.repeat(1000), '😀'.repeat(1000), ABSENT],
    other: ['x'.repeat(1001), '😀'.repeat(1001), 5, ['a'], ...ODD],
  },
};

/** Keys the DTO does not declare (or declares but leaves to class-validator), added to some bodies. */
const EXTRAS: [string, unknown][] = [
  ['surprise', true],
  ['items', []],
  ['items', [{ offeringId: UUID_A, timeSlotId: UUID_B, quantity: 1 }]],
  ['items', null],
  ['guestname', 'x'],
  ['', 1],
  ['__proto__', { admin: true }],
  ['constructor', 'x'],
  ['prototype', 1],
  ['toString', 'x'],
];

/** A body from [key, value] pairs, in that order; ABSENT values are left out. */
function bodyOf(entries: [string, unknown][]): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const [key, value] of entries) {
    if (value === ABSENT) continue;
    // defineProperty, so `__proto__` becomes an own key as JSON.parse makes it
    Object.defineProperty(body, key, { value, enumerable: true, writable: true, configurable: true });
  }
  return body;
}

describe('acceptHoldRequest agrees with the pipe on generated bodies', () => {
  const names = Object.keys(FIELDS);

  it('builds the boundary emails it means to', () => {
    expect([emailOf(254).length, emailOf(255).length]).toEqual([254, 255]);
  });

  it('each field through every candidate, the others valid: it accepts every valid one', async () => {
    const cases = names.flatMap((name) =>
      [
        ...FIELDS[name].valid.map((value) => [value, true] as const),
        ...FIELDS[name].other.map((value) => [value, false] as const),
      ].map(([value, valid]) => ({
        valid,
        body: bodyOf(names.map((other) => [other, other === name ? value : FIELDS[other].valid[0]])),
      })),
    );
    const { outcomes } = await compareAll(cases.map(({ body }) => body));
    const wrong = cases.filter(({ valid }, i) => valid !== (outcomes[i] === 'accepted')).map(({ body }) => show(body));
    expect(wrong).toEqual([]);
  });

  it('every field valid, absent, null or wrong: all 4^7 combinations', async () => {
    const choices = names.map((name) => [FIELDS[name].valid[0], ABSENT, null, FIELDS[name].other[0]]);
    const bodies: Record<string, unknown>[] = [];
    for (let n = 0; n < 4 ** names.length; n++) {
      bodies.push(bodyOf(names.map((name, i) => [name, choices[i][Math.floor(n / 4 ** i) % 4]])));
    }
    const { counts } = await compareAll(bodies);
    // Accepted: both names valid, each of the 5 optional fields valid or absent.
    expect(counts.accepted).toBe(2 ** 5);
    // Declined but valid for class-validator: the same with at least one optional field null (@IsOptional).
    expect(counts['declined, pipe accepts']).toBe(3 ** 5 - 2 ** 5);
  });

  it('5,000 seeded random bodies: any candidate, keys in any order, sometimes an extra key', async () => {
    const random = prng(16);
    const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)];
    const bodies: Record<string, unknown>[] = [];
    for (let n = 0; n < 5000; n++) {
      const entries: [string, unknown][] = names.map((name) => {
        const { valid, other } = FIELDS[name];
        return [name, random() < 0.75 ? pick(valid) : pick(other)];
      });
      if (random() < 0.2) entries.push(pick(EXTRAS));
      for (let i = entries.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [entries[i], entries[j]] = [entries[j], entries[i]];
      }
      bodies.push(bodyOf(entries));
    }
    const { counts } = await compareAll(bodies);
    expect(counts.accepted).toBeGreaterThan(500);
    expect(counts['declined, pipe refuses']).toBeGreaterThan(500);
  });

  it('bodies that are not plain objects', async () => {
    const instance = Object.assign(new HoldRequestDto(), SEED_004_BODY);
    const bare = Object.assign(Object.create(null) as object, SEED_004_BODY);
    const shapes = [null, undefined, '', 'text', 42, true, [], [SEED_004_BODY], instance, bare, new Date(0), Buffer.from('{}')];
    await compareAll(shapes);
    for (const shape of shapes) expect(acceptHoldRequest(shape)).toBeNull();
  });
});
