export * from './windows.js';
export * from './schema.js';
export * from './restriction.js';
