import type { Command } from "commander";
import type { CliIo } from "../io";

/** A CLI command lives in one file and adds itself to the program; see commands/index.ts. */
export interface CommandModule {
  register(program: Command, io: CliIo): void;
}

/** commander `.option(..., collect, [])` for repeatable options. */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
