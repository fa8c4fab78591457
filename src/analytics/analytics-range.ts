import { AppError } from '@holdfast/errors';
import type { AnalyticsRange } from './analytics.service';

/** An ISO date is 00:00 UTC of that day; a date-time is taken with its `Z` or offset. */
function instantOf(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}

/**
 * The [from, to) range of a query, or VALIDATION_FAILED: both real instants (the DTO
 * checked their shape), `to` after `from`.
 */
export function rangeOf(from: string, to: string): AnalyticsRange {
  const range = { from: instantOf(from), to: instantOf(to) };
  const details = [
    ...(Number.isNaN(range.from.getTime()) ? [{ field: 'from', message: 'not a real date' }] : []),
    ...(Number.isNaN(range.to.getTime()) ? [{ field: 'to', message: 'not a real date' }] : []),
  ];
  if (details.length === 0 && range.to.getTime() <= range.from.getTime())
    details.push({ field: 'to', message: 'to must be after from' });
  if (details.length > 0)
    throw new AppError('VALIDATION_FAILED', 'from and to must be a range of creation times, from < to', details);
  return range;
}
