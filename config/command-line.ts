// The command lines of `npm run synth` and `npm run policy`: strict, so a mistyped option is an error
// instead of being ignored while every environment is synthesized.
import { parseArgs } from "node:util";

export interface SynthCommandLine {
  readonly help: boolean;
  /** Environments named with --env (comma-separated, repeatable); undefined means all of them. */
  readonly environments?: readonly string[];
  /** --format, for the commands that take it. */
  readonly format?: string;
}

/** A command line that cannot be run; the message is one line, for the usage line to follow. */
export class CommandLineError extends Error {
  override readonly name = "CommandLineError";
}

export interface SynthCommandLineOptions {
  /** The --format values the command takes; without them --format is an unknown option. */
  readonly formats?: readonly string[];
}

export function parseSynthCommandLine(argv: readonly string[], options: SynthCommandLineOptions = {}): SynthCommandLine {
  let values: { env?: string[]; help?: boolean; format?: string };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      options: { env: { type: "string", multiple: true }, help: { type: "boolean", short: "h" }, format: { type: "string" } },
    }));
  } catch (error) {
    throw new CommandLineError((error as Error).message.split("\n")[0] ?? "invalid command line");
  }
  if (values.format !== undefined && !options.formats) throw new CommandLineError("Unknown option '--format'");
  if (values.format !== undefined && options.formats && !options.formats.includes(values.format)) {
    throw new CommandLineError(`--format: expected ${options.formats.map((f) => `"${f}"`).join(" or ")}, got "${values.format}"`);
  }
  const environments = values.env?.flatMap((value) => value.split(",")).map((name) => name.trim()).filter(Boolean);
  if (environments !== undefined && environments.length === 0) throw new CommandLineError("--env: expected environment names, got nothing");
  return {
    help: values.help === true,
    ...(environments ? { environments } : {}),
    ...(values.format !== undefined ? { format: values.format } : {}),
  };
}

/**
 * The command line, or the exit code when there is nothing to run: 0 after printing the usage for
 * --help, 2 after printing what is wrong and the usage.
 */
export function readSynthCommandLine(
  argv: readonly string[],
  options: SynthCommandLineOptions & { readonly usage: string },
  print: { log: (text: string) => void; error: (text: string) => void } = console,
): SynthCommandLine | number {
  let commandLine: SynthCommandLine;
  try {
    commandLine = parseSynthCommandLine(argv, options);
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error;
    print.error(`${error.message}\n${options.usage}`);
    return 2;
  }
  if (commandLine.help) {
    print.log(options.usage);
    return 0;
  }
  return commandLine;
}
