export * from './arms.js';
export * from './config.js';
export * from './judge.js';
export * from './model.js';
export * from './spending.js';
export { candidateLarger } from './mann-whitney.js';
export { rateAboveBaseline, rateAboveLine } from './proportions.js';
export * from './describe.js';
export * from './confirmation.js';
