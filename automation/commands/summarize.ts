// `gitops summarize PLAN.json`: counts as Terraform prints them.
import { Option } from "commander";
import { parsePlanJson } from "../plan/plan-json";
import { formatCountsText, isShownChange, summarizePlan, terraformPlanLine } from "../plan/summary";
import type { CommandModule } from "./types";

export const summarizeCommand: CommandModule = {
  register(program, io) {
    program
      .command("summarize")
      .description("count a plan's changes the way Terraform prints them")
      .argument("<plan>", "plan JSON from `terraform show -json PLANFILE`")
      .addOption(new Option("--format <format>", "output format").choices(["json", "text"]).default("text"))
      .action(async (planPath: string, opts: { format: "json" | "text" }) => {
        const plan = parsePlanJson(await io.files.readText(planPath), planPath);
        const c = summarizePlan(plan);
        if (opts.format === "json") {
          // Field order is part of the contract.
          const out = { add: c.add, change: c.change, destroy: c.destroy, import: c.import, replace: c.replace, read: c.read, forget: c.forget, outputChanges: c.outputChanges, noChanges: c.noChanges, errored: c.errored };
          io.stdout(`${JSON.stringify(out)}\n`);
        } else {
          const planLine = terraformPlanLine(c, (plan.resource_changes ?? []).filter(isShownChange).length, plan.action_invocations?.length ?? 0);
          io.stdout(`${formatCountsText(c, planLine)}\n`);
        }
      });
  },
};
