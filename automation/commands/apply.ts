// `gitops apply`: after a merge, apply every stack of the environment whose fresh plan is the one
// reviewers approved; refuse the rest and say so on the pull request.
import { resolve } from "node:path";
import { type StackApplyResult, applyStacks, isSettled } from "../applying";
import { ALLOW_DESTROY_LABEL, DEFAULT_PROTECTED_TYPES, parseList } from "../destroy-guard";
import { destroyApproval, parseApproverTeams } from "../github/destroy-approval";
import { CommandFailure, UsageError } from "../errors";
import { parseRepo, pullRequestLabels, reviewedFingerprints, type PullRequestRef } from "../github/pull-request";
import { upsertStickyComment } from "../github/sticky-comment";
import type { CliIo } from "../io";
import { readManifest } from "../manifest";
import { FINGERPRINT_PATTERN } from "../plan/fingerprint";
import { formatApplyResults, renderApplyComment } from "../render/apply-report";
import { commentMarker, runSourceLine } from "../render/comment";
import { selectStacks, stacksOfEnvironment } from "../selection";
import { destroyNotes, inUseError, planRemovedStacks } from "../removed-stacks";
import type { SynthManifest } from "../manifest";
import { parseParallel, planningContext } from "./plan";
import { collect, type CommandModule } from "./types";
import { exitIfInterrupted } from "../interrupt";
import { fingerprintKey } from "./fingerprint-key";
import { gitHubClientFromEnv, requireGitHubToken } from "./github-env";
import { DEFAULT_LOCK_TIMEOUT, parseLockTimeout } from "../terraform";

interface ApplyOptions {
  cdktfOut: string;
  env?: string;
  reviewed?: string;
  reviewedPr?: string;
  repo?: string;
  labels?: string;
  parallel: string;
  protectedTypes?: string;
  terraform?: string;
  lockTimeout: string;
  out?: string;
  author: string[];
  commit?: string;
  runUrl?: string;
  changedFrom?: string;
}

/** Reviewed fingerprints from `--reviewed FILE`: `{"<stack>":"sha256:<64 hex>"}` (or hmac-sha256:). */
async function readReviewedFile(io: CliIo, file: string): Promise<Record<string, string>> {
  let data: unknown;
  try {
    data = JSON.parse(await io.files.readText(file));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`);
  }
  if (data === null || typeof data !== "object" || Array.isArray(data)) throw new UsageError(`${file}: expected {"<stack>":"<fingerprint>"}`);
  for (const [stack, fp] of Object.entries(data)) {
    if (typeof fp !== "string" || !FINGERPRINT_PATTERN.test(fp)) {
      throw new UsageError(`${file}: ${stack}: expected a fingerprint like sha256:<64 hex digits> or hmac-sha256:<64 hex digits>, got ${JSON.stringify(fp)}`);
    }
  }
  return data as Record<string, string>;
}

function pullRequestOf(opts: ApplyOptions): PullRequestRef | undefined {
  if (opts.reviewedPr === undefined) return undefined;
  const repo = parseRepo(opts.repo ?? "");
  if (!repo) throw new UsageError(`--repo ${JSON.stringify(opts.repo ?? "")}: expected OWNER/REPO (required with --reviewed-pr)`);
  const number = Number(opts.reviewedPr);
  if (!Number.isInteger(number) || number <= 0) throw new UsageError(`--reviewed-pr ${JSON.stringify(opts.reviewedPr)}: expected a pull request number`);
  return { ...repo, number };
}

export const applyCommand: CommandModule = {
  register(program, io) {
    program
      .command("apply")
      .description("re-plan every stack in dependency order and apply those whose plan is the reviewed one")
      .option("--cdktf-out <dir>", "synth output to apply", "cdktf.out")
      .option("--env <env>", "the environment to apply (default: every stack)")
      .option("--reviewed <file>", 'reviewed fingerprints, {"<stack>":"sha256:..."} (hmac-sha256: with GITOPS_FINGERPRINT_KEY)')
      .option("--reviewed-pr <number>", "read reviewed fingerprints from this pull request's plan comment, and report on it")
      .option("--repo <owner/repo>", "repository of --reviewed-pr")
      .option("--labels <labels>", "labels that allow things (allow-destroy); default: read from --reviewed-pr")
      .option("--parallel <n>", "independent stacks applied at once", "1")
      .option("--protected-types <types>", `resource types whose destroy needs allow-destroy (default ${DEFAULT_PROTECTED_TYPES.join(",")})`)
      .option("--terraform <path>", "terraform binary (default: GITOPS_TERRAFORM, then terraform on PATH)")
      .option("--lock-timeout <duration>", "how long terraform waits for a state lock before the stack fails", DEFAULT_LOCK_TIMEOUT)
      .option("--out <dir>", "where to keep fresh plans (default: a temporary directory)")
      .option("--author <login>", "also trust plan comments by this login (default: only github-actions[bot], the plan workflow)", collect, [])
      .option("--changed-from <dir>", "the synth output of the previous commit: also destroy the stacks removed since, if their destroy was reviewed")
      .option("--commit <sha>", "the commit being applied, named in the apply comment")
      .option("--run-url <url>", "the workflow run, linked in the apply comment")
      .action(async (opts: ApplyOptions) => {
        if ((opts.reviewed === undefined) === (opts.reviewedPr === undefined)) {
          throw new UsageError("give exactly one of --reviewed FILE or --reviewed-pr N --repo OWNER/REPO");
        }
        const pr = pullRequestOf(opts);
        const parallel = parseParallel(opts.parallel);
        const lockTimeout = parseLockTimeout(opts.lockTimeout);
        const fingerprintSecret = await fingerprintKey(io, { publishes: true });
        const source = runSourceLine(opts, "apply");
        const manifest = await readManifest(opts.cdktfOut, io.files);
        const scope = opts.env !== undefined ? { env: opts.env } : {};
        // With a base, also destroy what was removed from the code since (reviewed like any plan).
        const sinceBase = opts.changedFrom !== undefined ? await selectStacks(manifest, { ...scope, changedFrom: opts.changedFrom }, io.files) : undefined;
        const stacks = sinceBase
          ? opts.env !== undefined
            ? stacksOfEnvironment(manifest, opts.env)
            : [...manifest.stacks.keys()].sort()
          : (await selectStacks(manifest, scope, io.files)).stacks;
        const gone =
          sinceBase && opts.changedFrom !== undefined && sinceBase.removed.length > 0
            ? planRemovedStacks(await readManifest(opts.changedFrom, io.files), manifest, sinceBase.removed)
            : undefined;
        const total = stacks.length + (gone ? gone.destroy.length + gone.inUse.size : 0);
        const octokit = pr
          ? gitHubClientFromEnv(io, requireGitHubToken(io, "--reviewed-pr"))
          : undefined;

        let reviewed: Record<string, string>;
        let labels = parseList(opts.labels);
        let destroyNote: string | undefined;
        if (pr && octokit) {
          reviewed = (await reviewedFingerprints(octokit, pr, opts.author)) ?? {};
          if (Object.keys(reviewed).length === 0) io.stderr(`pull request #${pr.number} has no plan comment with fingerprints: nothing counts as reviewed\n`);
          if (opts.labels === undefined) {
            // The label counts only when a maintainer other than the author added it after the last push.
            const approval = await destroyApproval(octokit, pr, { approverTeams: parseApproverTeams(io.env.GITOPS_DESTROY_APPROVERS) });
            labels = (await pullRequestLabels(octokit, pr)).filter((l) => l !== ALLOW_DESTROY_LABEL);
            if (approval.allowed) labels.push(ALLOW_DESTROY_LABEL);
            destroyNote = approval.reason;
            if (approval.by !== undefined || approval.allowed) io.stderr(`${ALLOW_DESTROY_LABEL}: ${approval.reason}\n`);
          }
        } else {
          reviewed = await readReviewedFile(io, opts.reviewed ?? "");
        }

        const environment = opts.env ?? "all stacks";
        // One apply comment per environment: staging's report (and the fingerprints it offers for
        // approval) must survive production's run on the same pull request.
        const key = opts.env !== undefined ? `apply-${opts.env}` : "apply";
        const report = async (results: readonly StackApplyResult[], inProgress: boolean) => {
          if (!pr || !octokit) return;
          await upsertStickyComment(octokit, {
            owner: pr.owner,
            repo: pr.repo,
            issueNumber: pr.number,
            marker: commentMarker(key, "apply"),
            body: renderApplyComment(results, { environment, key, inProgress, ...(source ? { source } : {}), ...(destroyNote ? { destroyApproval: destroyNote } : {}) }),
            authors: opts.author,
            log: (m) => io.stderr(`${m}\n`),
            sleep: (ms) => io.sleep(ms),
          });
        };

        const outDir = resolve(opts.out ?? (await io.writer.makeTempDir("gitops-apply-")));
        let results: StackApplyResult[];
        try {
          const terraform = await io.createTerraform(opts.terraform, { lockTimeout });
          const finished: StackApplyResult[] = [];
          const context = (m: SynthManifest) => ({
            ...planningContext(io, { manifest: m, terraform, outDir, parallel, lockState: true }, { protectedTypes: opts.protectedTypes, verb: "apply", fingerprintKey: fingerprintSecret }),
            reviewed,
            labels,
            // Each stack's outcome reaches the PR as soon as it is known.
            onResult: async (result: StackApplyResult) => {
              finished.push(result);
              await report(finished, finished.length < total);
            },
          });
          results = await applyStacks(context(manifest), stacks);
          if (gone) {
            // After the stacks that stay, so a renamed stack's replacement exists before the old one goes.
            const notes = (stack: string) => destroyNotes(stack, sinceBase?.added ?? [], manifest);
            results.push(...(await applyStacks({ ...context(gone.manifest), destroy: true, extraNotes: notes }, gone.destroy)));
            for (const [stack, users] of gone.inUse) {
              results.push({ stack, status: "error", plan: null, reviewedFingerprint: reviewed[stack] ?? null, detail: inUseError(stack, users) });
            }
          }
        } finally {
          if (opts.out === undefined) await io.writer.remove(outDir); // fresh plans hold secrets: do not leave them behind
        }
        try {
          await report(results, false);
        } catch (error) {
          io.stderr(`could not update the apply comment on #${pr?.number}: ${error instanceof Error ? error.message : String(error)}\n`);
        }
        const summary = formatApplyResults(results);
        io.stdout(summary);
        if (io.env.GITHUB_STEP_SUMMARY) {
          await io.writer.appendText(io.env.GITHUB_STEP_SUMMARY, renderApplyComment(results, { environment, key, ...(destroyNote ? { destroyApproval: destroyNote } : {}) }).split("\n").slice(1).join("\n"));
        }
        exitIfInterrupted();
        const left = results.filter((r) => !isSettled(r.status));
        if (left.length > 0) throw new CommandFailure(`not applied: ${left.map((r) => `${r.stack} (${r.status})`).join(", ")}`);
      });
  },
};
