// The `gitops` command line: parse arguments, run a command, map errors to exit codes. No logic here.
import { Command } from "commander";
import { commands } from "./commands";
import { EXIT_OK, describeError, exitCodeFor } from "./errors";
import { type CliIo, processIo } from "./io";

export function createProgram(io: CliIo): Command {
  const program = new Command("gitops")
    .description("plan review and apply automation for this repository's CDKTF stacks")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .showHelpAfterError("(run `gitops --help` for usage)");
  for (const command of commands) command.register(program, io);
  return program;
}

/** Runs the CLI with node-style argv (`[node, script, ...args]`) and resolves to the exit code. */
export async function run(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  try {
    await createProgram(io).parseAsync([...argv]);
    return EXIT_OK;
  } catch (error) {
    const message = describeError(error);
    if (message) io.stderr(`${message}\n`);
    return exitCodeFor(error);
  }
}
