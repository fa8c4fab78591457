import { AppError } from '../../libs/errors/src/index.js';
export const reservationNotFound = () => new AppError('RESERVATION_NOT_FOUND', 'Reservation not found');
export const holdExpired = () => new AppError('HOLD_EXPIRED', 'The hold on this reservation has expired');
export const invalidStatus = (status, action) => new AppError('INVALID_HOLD_STATUS', `A ${status} reservation cannot be ${action}`);
/** True for a well-formed UUID; anything else cannot name a row and is answered as not found. */
export const isUuid = (value) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
//# sourceMappingURL=reservations.errors.js.map