export * from './codec/index.js';
export * from './generated/index.js';
export * from './framing/index.js';
export * from './errors/index.js';
export * from './records/index.js';
