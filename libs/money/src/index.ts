export { IsCurrencyCode, MAX_AMOUNT_MINOR, formatMinor, isCurrencyCode, minorUnitDigits } from './currency';
