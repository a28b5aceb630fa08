// `gitops diff` (`npm run diff`): the local counterpart of the PR comment. Synthesizes, plans the
// named (or all) stacks with the caller's own credentials and prints the same review in the terminal.
import { findAwsCredentials } from "../aws-credentials";
import { CommandFailure, UsageError } from "../errors";
import type { CliIo } from "../io";
import { sectionNotes } from "../planning";
import { renderTerminalReview } from "../render/terminal";
import { runPlan } from "./plan";
import type { CommandModule } from "./types";
import { exitIfInterrupted } from "../interrupt";

interface DiffOptions {
  cdktfOut: string;
  synth: boolean;
  credentialCheck: boolean;
  markdown?: boolean;
  parallel: string;
  terraform?: string;
  env?: string;
}

/** Stacks whose providers and backend need no AWS credentials. */
const LOCAL_STACKS = ["local-gitops"];

/** One clear line instead of one S3 credential error per stack: nothing is started without credentials. */
async function requireAwsCredentials(io: CliIo, stacks: readonly string[]): Promise<void> {
  if (stacks.every((s) => LOCAL_STACKS.includes(s))) return;
  const found = await findAwsCredentials(io.env, io.files);
  if (found.source !== undefined) return;
  throw new UsageError(
    `no AWS credentials (${found.looked}): log in with \`aws sso login --profile <profile>\` and set AWS_PROFILE, or export credentials; the stacks need read access to the state bucket and the permissions of the bootstrap's gitops-plan role. No terraform was started.`,
  );
}

export const diffCommand: CommandModule = {
  register(program, io) {
    program
      .command("diff")
      .description("synth, then plan the named stacks (default: all but bootstrap and local-gitops) and print what would change")
      .argument("[stacks...]", "stacks to plan")
      .option("--env <env>", "only the stacks of this environment")
      .option("--cdktf-out <dir>", "synth output", "cdktf.out")
      .option("--no-synth", "plan the existing synth output as it is")
      .option("--markdown", "print the PR comment markdown instead")
      .option("--parallel <n>", "independent stacks planned at once", "2")
      .option("--terraform <path>", "terraform binary (default: GITOPS_TERRAFORM, then terraform on PATH)")
      .option("--no-credential-check", "start terraform even when no AWS credentials are found (e.g. an EC2 instance role)")
      .action(async (stacks: string[], opts: DiffOptions) => {
        if (opts.synth) {
          const code = await io.runSynth(opts.env !== undefined ? ["--env", opts.env] : [], opts.cdktfOut);
          if (code !== 0) throw new CommandFailure(`synth failed (exit ${code}); nothing was planned`);
        }
        const out = await io.writer.makeTempDir("gitops-diff-");
        try {
          const { results, comment } = await runPlan(io, {
            cdktfOut: opts.cdktfOut,
            out,
            parallel: opts.parallel,
            skipHandRun: true,
            ...(stacks.length > 0 ? { stacks: stacks.join(",") } : {}),
            ...(opts.env !== undefined ? { env: opts.env } : {}),
            ...(opts.terraform !== undefined ? { terraform: opts.terraform } : {}),
            ...(opts.credentialCheck ? { beforeTerraform: (selected: readonly string[]) => requireAwsCredentials(io, selected) } : {}),
          });
          if (opts.markdown) {
            io.stdout(comment);
          } else {
            const color = io.env.NO_COLOR === undefined && io.isTerminal;
            for (const r of results) {
              if (r.review) io.stdout(renderTerminalReview(r.stack, r.review, { color }));
              else io.stdout(`${r.stack}:\n  ${r.status}${r.errorText ? `\n${r.errorText.trimEnd().replace(/^/gm, "    ")}` : ""}\n`);
              for (const note of sectionNotes(r)) io.stdout(`  note: ${note.replace(/[`*]/g, "")}\n`);
            }
          }
          exitIfInterrupted();
          const failed = results.filter((r) => r.status === "error" || r.status === "blocked");
          if (failed.length > 0) throw new CommandFailure(`planning failed for ${failed.map((r) => r.stack).join(", ")}`);
        } finally {
          await io.writer.remove(out); // plan files hold secrets in clear text
        }
      });
  },
};
