// Error kinds the CLI maps to exit codes: 2 = the caller gave us something unusable, 1 = the command failed.

/** Bad arguments or input files (missing file, malformed plan JSON, ...). Exit code 2. */
export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** The command could run but did not succeed (GitHub refused, retries exhausted, ...). Exit code 1. */
export class CommandFailure extends Error {
  override readonly name = "CommandFailure";
}

/**
 * A finding the command reports through its own exit code, not an error: `drift` exits 2 when it
 * found drift. The message goes to stderr without the `error:` prefix.
 */
export class ResultCode extends Error {
  override readonly name = "ResultCode";
  constructor(
    readonly exitCode: number,
    message: string,
  ) {
    super(message);
  }
}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Exit code for an error that escaped a command; anything unexpected is a failure, not a usage error. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT_USAGE;
  if (error instanceof ResultCode) return error.exitCode;
  // commander's own errors (unknown option, missing argument) carry `code` and `exitCode`.
  if (isCommanderError(error)) {
    if (error.code === "commander.helpDisplayed" || error.code === "commander.version" || error.code === "commander.help") {
      return EXIT_OK;
    }
    return EXIT_USAGE;
  }
  return EXIT_FAILURE;
}

export function isCommanderError(error: unknown): error is Error & { code: string; exitCode: number } {
  if (!(error instanceof Error)) return false;
  const code: unknown = (error as { code?: unknown }).code;
  return typeof code === "string" && code.startsWith("commander.");
}

/** One line for stderr; stack traces only for errors we did not anticipate. */
export function describeError(error: unknown): string {
  if (error instanceof UsageError || error instanceof CommandFailure) return `error: ${error.message}`;
  if (error instanceof ResultCode) return error.message;
  if (isCommanderError(error)) return ""; // commander already printed its message
  if (error instanceof Error) return `unexpected error: ${error.stack ?? error.message}`;
  return `unexpected error: ${String(error)}`;
}
