/** The `tributary` command's exit codes; scripts branch on them, so they never change meaning. */
export const ExitCode = {
  ok: 0,
  /** Anything else that went wrong (a broker error, a bad answer). */
  failure: 1,
  /** Bad flags or arguments. */
  usage: 2,
  /** The topic named does not exist. */
  unknownTopic: 3,
  /** No connection to the bootstrap broker. */
  unreachable: 4,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];
