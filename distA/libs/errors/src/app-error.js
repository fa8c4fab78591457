import { ERROR_STATUS } from './error-codes.js';
/**
 * The one exception type domain code throws. The global filter renders it as
 * `{ error: code, message, details? }` with the status DESIGN.md assigns to the code.
 */
export class AppError extends Error {
    constructor(code, message, details) {
        super(message);
        this.code = code;
        this.details = details;
        this.name = 'AppError';
        this.status = ERROR_STATUS[code];
    }
}
//# sourceMappingURL=app-error.js.map