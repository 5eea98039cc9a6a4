export * from './codec/index.js';
export * from './generated/index.js';
