// `gitops drift`: plan every stack of each environment and keep its "Drift detected in <env>" issue
// in step: open or update it while there is drift, close it with a comment once the environment is clean.
import { resolve } from "node:path";
import { CommandFailure, ResultCode, UsageError } from "../errors";
import { closeDriftIssues, openOrUpdateDriftIssue, updateOpenDriftIssue, type DriftIssueRequest, type DriftIssueResult } from "../github/drift-issue";
import { parseRepo } from "../github/pull-request";
import { describeGitHubError } from "../github/request-error";
import type { CliIo } from "../io";
import { readManifest, type SynthManifest } from "../manifest";
import { planStacks, type StackPlanResult } from "../planning";
import { assertEnvironmentName, driftIssueTitle, environmentDrift, renderDriftReport, renderDriftResolved, stackDrift, type StackDrift } from "../render/drift-report";
import { environmentOf, HAND_RUN_STACKS, selectStacks } from "../selection";
import { parseParallel, planningContext } from "./plan";
import { collect, type CommandModule } from "./types";
import { exitIfInterrupted } from "../interrupt";
import { gitHubClientFromEnv, requireGitHubToken } from "./github-env";
import { DEFAULT_LOCK_TIMEOUT, parseLockTimeout } from "../terraform";

interface DriftOptions {
  cdktfOut: string;
  env?: string;
  repo: string;
  parallel: string;
  terraform?: string;
  lockTimeout: string;
  author: string[];
}

/** Exit code for "drift found"; the stderr line says so, since usage errors also exit 2. */
export const EXIT_DRIFT = 2;

/** Environment → its stacks: the one named, or every environment but the skipped stacks. */
async function environments(io: CliIo, manifest: SynthManifest, env: string | undefined): Promise<Map<string, string[]>> {
  if (env !== undefined) {
    assertEnvironmentName(env);
    const { stacks } = await selectStacks(manifest, { env }, io.files);
    return new Map([[env, [...stacks]]]);
  }
  const byEnv = new Map<string, string[]>();
  const { stacks } = await selectStacks(manifest, { skipHandRun: true }, io.files);
  for (const stack of stacks) {
    const name = environmentOf(stack);
    byEnv.set(name, [...(byEnv.get(name) ?? []), stack]);
  }
  if (byEnv.size === 0) {
    throw new UsageError(`${manifest.dir}: no stacks to check (${HAND_RUN_STACKS.join(" and ")} are checked only when named with --env)`);
  }
  for (const name of byEnv.keys()) assertEnvironmentName(name);
  return new Map([...byEnv].sort(([a], [b]) => a.localeCompare(b)));
}

function describeIssue(result: DriftIssueResult): string {
  const ref = result.number !== null ? ` #${result.number}${result.url ? ` ${result.url}` : ""}` : "";
  switch (result.action) {
    case "none":
      return "no open drift issue";
    case "kept":
      return "no open drift issue (errors alone do not open one)";
    default:
      return `issue${ref} ${result.action}${result.closedDuplicates.length ? `, duplicates closed: ${result.closedDuplicates.map((n) => `#${n}`).join(", ")}` : ""}`;
  }
}

export const driftCommand: CommandModule = {
  register(program, io) {
    program
      .command("drift")
      .description("plan every stack of an environment and open, update or close its drift issue (exit 0 clean, 2 drift, 1 error)")
      .option("--cdktf-out <dir>", "synth output to plan", "cdktf.out")
      .option("--env <env>", "one environment (default: every environment; bootstrap and local-gitops only when named)")
      .requiredOption("--repo <owner/repo>", "repository of the drift issues")
      .option("--parallel <n>", "independent stacks planned at once", "2")
      .option("--terraform <path>", "terraform binary (default: GITOPS_TERRAFORM, then terraform on PATH)")
      .option("--lock-timeout <duration>", "how long terraform waits for a state lock", DEFAULT_LOCK_TIMEOUT)
      .option("--author <login>", "also treat issues by this login as ours (default: bot users only); repeatable", collect, [])
      .action(async (opts: DriftOptions) => {
        const repo = parseRepo(opts.repo);
        if (!repo) throw new UsageError(`--repo ${JSON.stringify(opts.repo)}: expected OWNER/REPO`);
        const parallel = parseParallel(opts.parallel);
        const token = requireGitHubToken(io);
        const manifest = await readManifest(opts.cdktfOut, io.files);
        const envs = await environments(io, manifest, opts.env);
        const stacks = [...envs.values()].flat();

        const terraform = await io.createTerraform(opts.terraform, { lockTimeout: parseLockTimeout(opts.lockTimeout) });
        // Plans hold secrets in clear text: keep them in a temporary directory removed afterwards.
        const outDir = resolve(await io.writer.makeTempDir("gitops-drift-"));
        let results: StackPlanResult[];
        try {
          // Drift plans are read and thrown away: no state lock, so a scheduled run never blocks an apply.
          results = await planStacks(planningContext(io, { manifest, terraform, outDir, parallel, lockState: false }), stacks);
        } finally {
          await io.writer.remove(outDir);
        }

        // An interrupted run has no complete picture: leave the drift issue as it is.
        exitIfInterrupted();
        const octokit = gitHubClientFromEnv(io, token);
        const drifted: string[] = [];
        const errored: string[] = [];
        const failures: string[] = [];
        for (const [env, names] of envs) {
          const drifts: StackDrift[] = results.filter((r) => names.includes(r.stack)).map(stackDrift);
          const { drift, errors } = environmentDrift(drifts);
          if (drift) drifted.push(env);
          if (errors) errored.push(`${env} (${drifts.filter((d) => d.state === "error").map((d) => d.stack).join(", ")})`);
          const req: DriftIssueRequest = {
            ...repo,
            env,
            authors: opts.author,
            log: (m) => io.stderr(`${m}\n`),
            sleep: (ms) => io.sleep(ms),
          };
          const state = drift ? "drift" : errors ? "error" : "clean";
          try {
            const result = drift
              ? await openOrUpdateDriftIssue(octokit, req, renderDriftReport(drifts, { env }))
              : errors
                ? await updateOpenDriftIssue(octokit, req, renderDriftReport(drifts, { env }))
                : await closeDriftIssues(octokit, req, renderDriftResolved(env, drifts));
            io.stdout(`${env}: ${state}, ${describeIssue(result)}\n`);
          } catch (error) {
            io.stdout(`${env}: ${state}, drift issue not updated\n`);
            failures.push(`${env}: ${describeGitHubError(error)}`);
          }
        }

        const problems: string[] = [];
        if (errored.length > 0) problems.push(`planning failed in ${errored.join("; ")}`);
        if (failures.length > 0) problems.push(failures.join("; "));
        // Exit 1 wins over "drift found": say the drift too, so it is not lost in the failure.
        if (problems.length > 0 && drifted.length > 0) problems.push(`drift found in ${drifted.join(", ")}`);
        // For workflows: exit 2 alone cannot tell drift from a usage error, this output can.
        if (io.env.GITHUB_OUTPUT) {
          await io.writer.appendText(io.env.GITHUB_OUTPUT, `result=${problems.length > 0 ? "error" : drifted.length > 0 ? "drift" : "clean"}\n`);
        }
        if (problems.length > 0) throw new CommandFailure(problems.join("; "));
        if (drifted.length > 0) {
          throw new ResultCode(
            EXIT_DRIFT,
            `drift found in ${drifted.join(", ")}: see the open ${drifted.map((env) => JSON.stringify(driftIssueTitle(env))).join(" and ")} ${drifted.length > 1 ? "issues" : "issue"}. Exit code ${EXIT_DRIFT} means drift was found, not a usage error.`,
          );
        }
      });
  },
};
