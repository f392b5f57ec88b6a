export * from './store.js';
export * from './effects.js';
