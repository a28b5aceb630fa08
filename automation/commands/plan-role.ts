// `gitops plan-role`: the ARN of the read-only plan role of an environment's AWS account, derived from
// its synthesized Terraform (the AWS provider's allowed account and region), so the plan and drift
// workflows need no per-environment variable when every account has its own bootstrap.
import { join } from "node:path";
import { partitionOf } from "../../constructs/partition";
import { PLAN_ROLE } from "../plan-role";
import { UsageError } from "../errors";
import { readManifest } from "../manifest";
import { environmentOf } from "../selection";
import type { CommandModule } from "./types";

interface PlanRoleOptions {
  cdktfOut: string;
  env: string;
}

interface AwsProviderBlock {
  region?: string;
  allowed_account_ids?: string[];
}

export const planRoleCommand: CommandModule = {
  register(program, io) {
    program
      .command("plan-role")
      .description("print the ARN of the gitops-plan role in the AWS account of an environment (from its synthesized provider)")
      .option("--cdktf-out <dir>", "synth output", "cdktf.out")
      .requiredOption("--env <env>", "the environment")
      .action(async (opts: PlanRoleOptions) => {
        const manifest = await readManifest(opts.cdktfOut, io.files);
        const stack = [...manifest.stacks.values()].find((s) => environmentOf(s.name) === opts.env && s.name.endsWith("-cluster"));
        if (!stack) throw new UsageError(`--env ${opts.env}: no ${opts.env}-cluster stack in ${opts.cdktfOut}`);
        const path = join(opts.cdktfOut, stack.synthesizedStackPath);
        let providers: AwsProviderBlock[] = [];
        try {
          providers = ((JSON.parse(await io.files.readText(path)) as { provider?: { aws?: AwsProviderBlock[] } }).provider?.aws ?? []);
        } catch (error) {
          if (error instanceof UsageError) throw error;
          throw new UsageError(`${path}: not valid JSON`);
        }
        const accounts = providers[0]?.allowed_account_ids ?? [];
        const region = providers[0]?.region;
        if (accounts.length !== 1 || !/^\d{12}$/.test(accounts[0]!) || !region) {
          throw new UsageError(`${path}: expected the AWS provider to allow exactly one account and name a region (aws.allowedAccountIds in config/${opts.env}.yaml), got ${JSON.stringify(accounts)}`);
        }
        io.stdout(`arn:${partitionOf(region)}:iam::${accounts[0]}:role/${PLAN_ROLE}\n`);
      });
  },
};
