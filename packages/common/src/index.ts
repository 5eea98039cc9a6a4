export * from './invariant.js';
export * from './errors.js';
export * from './limits.js';
export * from './ids.js';
export * from './clock.js';
export * from './random.js';
export * from './file-system.js';
