// `gitops plan`: plan the selected stacks of an existing synth output and write what the review
// needs: per stack plan.tfplan, plan.json, summary.json (when there is a plan), section.json,
// stderr.txt (when there is none), and
// for all stacks comment.md and fingerprints.json.
import { join, resolve } from "node:path";
import { DEFAULT_PROTECTED_TYPES, isDestroyAllowed, parseList } from "../destroy-guard";
import { CommandFailure, UsageError } from "../errors";
import type { CliIo } from "../io";
import { readManifest } from "../manifest";
import { fingerprintsOf, planStacks, type PlanningContext, type StackPlanResult, unplannedStack } from "../planning";
import { destroyNotes, inUseError, planRemovedStacks, removedStackNotes } from "../removed-stacks";
import type { SynthManifest } from "../manifest";
import { renderPlanComment } from "../render/comment";
import { selectStacks } from "../selection";
import { createStackLog } from "../stack-log";
import { fingerprintKey } from "./fingerprint-key";
import type { CommandModule } from "./types";
import { exitIfInterrupted } from "../interrupt";
import { DEFAULT_LOCK_TIMEOUT, parseLockTimeout } from "../terraform";
import { maskFromEnv } from "../mask";

export interface PlanCommandOptions {
  cdktfOut: string;
  env?: string;
  stacks?: string;
  changedFrom?: string;
  out: string;
  parallel: string;
  strict?: boolean;
  labels?: string;
  protectedTypes?: string;
  terraform?: string;
  lockTimeout?: string;
  title?: string;
  /** Without --env or --stacks, leave out bootstrap and local-gitops (see HAND_RUN_STACKS). */
  skipHandRun?: boolean;
  /** Runs once the stacks are selected and before any terraform starts (diff's credential check). */
  beforeTerraform?: (stacks: readonly string[]) => Promise<void>;
}

export function parseParallel(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--parallel ${JSON.stringify(value)}: expected an integer >= 1`);
  return n;
}

/** Writes the per-stack files; plan.tfplan and plan.json were written by planning itself. */
async function writeStackFiles(io: CliIo, outDir: string, result: StackPlanResult): Promise<void> {
  const dir = join(outDir, result.stack);
  await io.writer.makeDir(dir);
  await io.writer.writeText(join(dir, "section.json"), `${JSON.stringify(result.section)}\n`);
  // Exactly what `summarize --format json` prints for the plan; a stack without a plan has none (its
  // status and error are in section.json and stderr.txt).
  if (result.counts) await io.writer.writeText(join(dir, "summary.json"), `${JSON.stringify(result.counts)}\n`);
  if (result.errorText !== undefined && result.status !== "changes" && result.status !== "no-changes") {
    await io.writer.writeText(join(dir, "stderr.txt"), result.errorText);
  }
}

/** The planning context every Terraform-running command builds the same way from the CLI's io. */
export function planningContext(
  io: CliIo,
  base: Pick<PlanningContext, "manifest" | "terraform" | "outDir" | "parallel" | "lockState">,
  options: { protectedTypes?: string | undefined; verb?: string; fingerprintKey?: string | undefined } = {},
): PlanningContext {
  return {
    ...base,
    protectedTypes: options.protectedTypes !== undefined ? parseList(options.protectedTypes) : DEFAULT_PROTECTED_TYPES,
    fingerprintKey: options.fingerprintKey,
    mask: maskFromEnv(io.env),
    writeFile: (path, text) => io.writer.writeText(path, text),
    makeDir: (path) => io.writer.makeDir(path),
    log: createStackLog(io.stderr, io.env, options.verb),
  };
}

export interface PlanRun {
  readonly results: readonly StackPlanResult[];
  readonly comment: string;
  readonly removed: readonly string[];
}

/** Shared by `plan` and `diff`: select, plan, write the out dir. */
export async function runPlan(io: CliIo, opts: PlanCommandOptions): Promise<PlanRun> {
  const parallel = parseParallel(opts.parallel);
  const key = await fingerprintKey(io, { publishes: true });
  const manifest = await readManifest(opts.cdktfOut, io.files);
  const { stacks, removed, added } = await selectStacks(
    manifest,
    {
      ...(opts.env !== undefined ? { env: opts.env } : {}),
      ...(opts.stacks !== undefined ? { stacks: parseList(opts.stacks) } : {}),
      ...(opts.changedFrom !== undefined ? { changedFrom: opts.changedFrom } : {}),
      ...(opts.skipHandRun ? { skipHandRun: true } : {}),
    },
    io.files,
  );
  const gone = opts.changedFrom !== undefined && removed.length > 0 ? planRemovedStacks(await readManifest(opts.changedFrom, io.files), manifest, removed) : undefined;
  await opts.beforeTerraform?.([...stacks, ...(gone?.destroy ?? [])]);
  const outDir = resolve(opts.out);
  await io.writer.makeDir(outDir);
  const lockTimeout = parseLockTimeout(opts.lockTimeout ?? DEFAULT_LOCK_TIMEOUT);
  const terraform = stacks.length > 0 || (gone?.destroy.length ?? 0) > 0 ? await io.createTerraform(opts.terraform, { lockTimeout }) : undefined;
  // Review plans never lock the state (see PlanningContext.lockState); apply re-plans under the lock.
  const context = (m: SynthManifest) =>
    terraform && planningContext(io, { manifest: m, terraform, outDir, parallel, lockState: false }, { protectedTypes: opts.protectedTypes, fingerprintKey: key });
  const headContext = context(manifest);
  const results = headContext ? await planStacks(headContext, stacks) : [];
  if (gone) {
    const removedContext = context(gone.manifest);
    if (removedContext) results.push(...(await planStacks({ ...removedContext, destroy: true, extraNotes: (stack) => destroyNotes(stack, added, manifest) }, gone.destroy)));
    for (const [stack, users] of gone.inUse) results.push(unplannedStack(stack, inUseError(stack, users), removedStackNotes(stack, added)));
    if (gone.skipped.length > 0) io.stderr(`removed from the code, never destroyed by the pipeline: ${gone.skipped.join(", ")}\n`);
  }
  for (const result of results) await writeStackFiles(io, outDir, result);
  const comment = renderPlanComment(
    results.map((r) => r.section),
    opts.title !== undefined ? { title: opts.title } : {},
  );
  await io.writer.writeText(join(outDir, "comment.md"), comment);
  await io.writer.writeText(join(outDir, "fingerprints.json"), `${JSON.stringify(fingerprintsOf(results), null, 2)}\n`);
  return { results, comment, removed };
}

export const planCommand: CommandModule = {
  register(program, io) {
    program
      .command("plan")
      .description("plan stacks of an existing synth output in dependency order and write the review files")
      .option("--cdktf-out <dir>", "synth output to plan", "cdktf.out")
      .option("--env <env>", "only the stacks of this environment")
      .option("--stacks <names>", "only these stacks (comma-separated)")
      .option("--changed-from <dir>", "only stacks whose Terraform changed since this base synth output, plus the destroy of stacks removed since")
      .requiredOption("--out <dir>", "where to write plans, summaries, comment.md and fingerprints.json")
      .option("--parallel <n>", "independent stacks planned at once", "2")
      .option("--strict", "exit 1 when a protected resource would be destroyed without the allow-destroy label")
      .option("--labels <labels>", "the pull request's labels (comma-separated), for --strict")
      .option("--protected-types <types>", `resource types whose destroy needs allow-destroy (default ${DEFAULT_PROTECTED_TYPES.join(",")})`)
      .option("--terraform <path>", "terraform binary (default: GITOPS_TERRAFORM, then terraform on PATH)")
      .option("--lock-timeout <duration>", "how long terraform waits for a state lock (plans here do not lock; kept for symmetry with apply)", DEFAULT_LOCK_TIMEOUT)
      .option("--title <title>", "heading of comment.md")
      .action(async (opts: PlanCommandOptions) => {
        const { results, comment } = await runPlan(io, opts);
        if (io.env.GITHUB_STEP_SUMMARY) await io.writer.appendText(io.env.GITHUB_STEP_SUMMARY, `${comment.split("\n").slice(1).join("\n")}\n`);
        const errored = results.filter((r) => r.status === "error" || r.status === "blocked");
        const guarded = results.filter((r) => r.protectedDestroys.length > 0);
        io.stdout(
          results.map((r) => `${r.stack}: ${r.status}${r.fingerprint ? ` ${r.fingerprint}` : ""}`).join("\n") + (results.length ? "\n" : "no stacks to plan\n"),
        );
        exitIfInterrupted();
        const problems: string[] = [];
        if (errored.length > 0) problems.push(`planning failed for ${errored.map((r) => `${r.stack} (${r.status})`).join(", ")}`);
        if (opts.strict && guarded.length > 0 && !isDestroyAllowed(parseList(opts.labels))) {
          problems.push(`protected resources would be destroyed in ${guarded.map((r) => r.stack).join(", ")}: add the allow-destroy label to the pull request`);
        }
        if (problems.length > 0) throw new CommandFailure(problems.join("; "));
      });
  },
};
