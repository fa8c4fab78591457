export { Clock, ClockModule, SystemClock, TestClock } from './clock';
