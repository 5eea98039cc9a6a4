export * from './errors.js';
export * from './reader.js';
export * from './writer.js';
export * from './values.js';
export type * from './api-descriptor.js';
