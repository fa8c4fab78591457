import { AppError } from '@holdfast/errors';

export const reservationNotFound = (): AppError => new AppError('RESERVATION_NOT_FOUND', 'Reservation not found');
export const holdExpired = (): AppError => new AppError('HOLD_EXPIRED', 'The hold on this reservation has expired');
export const invalidStatus = (status: string, action: string): AppError =>
  new AppError('INVALID_HOLD_STATUS', `A ${status} reservation cannot be ${action}`);

/** True for a well-formed UUID; anything else cannot name a row and is answered as not found. */
export const isUuid = (value: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
