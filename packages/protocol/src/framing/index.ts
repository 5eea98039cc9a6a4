export * from './frame-splitter.js';
export * from './headers.js';
export * from './messages.js';
