// `gitops render`: one PR comment for several stacks, from plan JSON or from pre-rendered sections.
import { Option } from "commander";
import { UsageError } from "../errors";
import type { CliIo } from "../io";
import { parsePlanJson } from "../plan/plan-json";
import { reviewPlan } from "../plan/review";
import { GITHUB_COMMENT_LIMIT, renderPlanComment, runSourceLine } from "../render/comment";
import { plainText } from "../render/markdown";
import { assertStackName, buildStackSection, parseSections, type StackSection } from "../render/section";
import { fingerprintKey } from "./fingerprint-key";
import { collect, type CommandModule } from "./types";

interface RenderOptions {
  stack: string[];
  section: string[];
  maxChars: string;
  title?: string;
  key: string;
  format: "markdown" | "sections";
  commit?: string;
  runUrl?: string;
  toolingChanged?: boolean;
  destroyApproval?: string;
}

/**
 * Said on the comment of a pull request that changes the review tooling: its plans were made and
 * rendered by the base commit's CLI (plan.yml's trusted rendering), not by the code under review.
 */
export const TOOLING_CHANGED_NOTE =
  "⚙️ This pull request changes the review tooling (`automation/`, `scripts/`, workflows or dependencies). Its plans were made and rendered by the tooling of the base commit; the changed tooling takes effect after merge.";

export const renderCommand: CommandModule = {
  register(program, io) {
    program
      .command("render")
      .description("render plans as one markdown PR comment (or as section JSON for a later merge)")
      .option("--stack <name=plan.json>", "a stack's plan JSON; NAME=error:FILE for a stack whose plan failed (FILE: terraform's stderr); repeatable", collect, [])
      .option("--section <file>", "a section JSON written by `render --format sections`; repeatable", collect, [])
      .option("--max-chars <n>", "largest comment body", String(GITHUB_COMMENT_LIMIT))
      .option("--title <title>", "heading of the comment")
      .option("--key <key>", "sticky comment key, part of the marker", "plan")
      .addOption(new Option("--format <format>", "markdown comment, or sections JSON to merge later").choices(["markdown", "sections"]).default("markdown"))
      .option("--commit <sha>", "the pull request's head commit the plans are for, shown under the status line")
      .option("--run-url <url>", "the workflow run with the full plans, linked under the status line")
      .option("--tooling-changed", "say that the pull request changes the review tooling and was rendered by its base's")
      .option("--destroy-approval <text>", "who allowed a destroy, or why the allow-destroy label does not count (from `gitops allow-destroy`)")
      .action(async (opts: RenderOptions) => {
        const maxChars = Number(opts.maxChars);
        if (!Number.isInteger(maxChars) || maxChars < 1000) throw new UsageError(`--max-chars ${JSON.stringify(opts.maxChars)}: expected an integer of at least 1000`);
        if (opts.stack.length === 0 && opts.section.length === 0) throw new UsageError("nothing to render: give --stack NAME=PLAN.json or --section FILE");
        const source = runSourceLine(opts, "plan");
        if ((source || opts.toolingChanged || opts.destroyApproval) && opts.format === "sections") {
          throw new UsageError("--commit, --run-url, --tooling-changed and --destroy-approval belong to the comment (--format markdown), not to sections");
        }
        const approval = opts.destroyApproval ? `**Destroy of protected resources:** ${plainText(opts.destroyApproval)}.` : "";
        const intro = [source, opts.toolingChanged ? TOOLING_CHANGED_NOTE : "", approval].filter(Boolean).join("\n\n");
        const sections: StackSection[] = [];
        for (const file of opts.section) sections.push(...parseSections(await io.files.readText(file), file));
        const key = opts.stack.length > 0 ? await fingerprintKey(io, { publishes: false }) : undefined;
        for (const spec of opts.stack) sections.push(await sectionFromStackOption(spec, io, key));
        if (opts.format === "sections") {
          io.stdout(`${JSON.stringify(sections)}\n`);
          return;
        }
        io.stdout(
          renderPlanComment(sections, {
            key: opts.key,
            maxChars,
            ...(opts.title !== undefined ? { title: opts.title } : {}),
            ...(intro ? { intro } : {}),
          }),
        );
      });
  },
};

async function sectionFromStackOption(spec: string, io: CliIo, fingerprintKey: string | undefined): Promise<StackSection> {
  const eq = spec.indexOf("=");
  if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--stack ${JSON.stringify(spec)}: expected NAME=PLAN.json or NAME=error:FILE`);
  const stack = spec.slice(0, eq);
  const target = spec.slice(eq + 1);
  assertStackName(stack, `--stack ${spec}`);
  if (target.startsWith("error:")) {
    const file = target.slice("error:".length);
    return buildStackSection({ stack, review: null, errorText: await io.files.readText(file) });
  }
  const plan = parsePlanJson(await io.files.readText(target), target);
  return buildStackSection({ stack, review: reviewPlan(plan, { fingerprintKey }) });
}
