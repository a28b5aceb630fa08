import type { Command } from "commander";
import type { CliIo } from "../io";
import type { RunSource } from "../render/comment";

/** A CLI command lives in one file and adds itself to the program; see commands/index.ts. */
export interface CommandModule {
  register(program: Command, io: CliIo): void;
}

/** commander `.option(..., collect, [])` for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `--commit` and `--run-url` of the commands whose comments say where they come from. */
export function runSourceOf(opts: { commit?: string; runUrl?: string }): RunSource {
  return { ...(opts.commit !== undefined ? { commit: opts.commit } : {}), ...(opts.runUrl !== undefined ? { runUrl: opts.runUrl } : {}) };
}
