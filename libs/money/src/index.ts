export { IsCurrencyCode, formatMinor, isCurrencyCode, minorUnitDigits } from './currency';
