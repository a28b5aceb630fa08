// `gitops changed --base DIR --head DIR`: stacks to plan for a pull request.
import { Option } from "commander";
import { detectChangedStacks } from "../changed";
import type { CommandModule } from "./types";

export const changedCommand: CommandModule = {
  register(program, io) {
    program
      .command("changed")
      .description("stacks whose Terraform differs between two synth outputs (cdktf.out dirs)")
      .requiredOption("--base <dir>", "synth output of the base branch")
      .requiredOption("--head <dir>", "synth output of the pull request")
      .addOption(new Option("--format <format>", "output format").choices(["json", "text"]).default("text"))
      .action(async (opts: { base: string; head: string; format: "json" | "text" }) => {
        const result = await detectChangedStacks(opts.base, opts.head, io.files);
        if (opts.format === "json") {
          io.stdout(`${JSON.stringify({ changed: result.changed, added: result.added, removed: result.removed })}\n`);
          return;
        }
        // Text: the stacks to plan (changed and added), one per line; removed ones cannot be planned from head.
        for (const name of [...result.changed, ...result.added].sort()) io.stdout(`${name}\n`);
        if (result.removed.length > 0) {
          io.stderr(`removed stacks (removing a stack does not destroy its resources): ${result.removed.join(", ")}\n`);
        }
      });
  },
};
