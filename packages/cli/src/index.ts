export * from './client/index.js';
export { runCli, mainUsage } from './run-cli.js';
export { ExitCode } from './exit-codes.js';
export type { CliIo } from './cli-io.js';
