export * from './types.js';
export * from './raft-log.js';
export * from './raft-node.js';
