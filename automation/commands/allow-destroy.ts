// `gitops allow-destroy`: does the pull request's allow-destroy label count? It does only when a
// maintainer other than the author added it after the latest push (see destroy-approval.ts). The plan
// workflow runs it in a step of its own (the terraform step never holds a GitHub token) and passes
// the label on to `plan --strict` only when it counts.
import { parseRepo } from "../github/pull-request";
import { describeGitHubError } from "../github/request-error";
import { destroyApproval, parseApproverTeams } from "../github/destroy-approval";
import { ALLOW_DESTROY_LABEL } from "../destroy-guard";
import { CommandFailure, UsageError } from "../errors";
import type { CommandModule } from "./types";
import { gitHubClientFromEnv, requireGitHubToken } from "./github-env";

interface AllowDestroyOptions {
  repo: string;
  pr: string;
}

export const allowDestroyCommand: CommandModule = {
  register(program, io) {
    program
      .command("allow-destroy")
      .description("say whether the pull request's allow-destroy label counts (added after the latest push by a maintainer other than the author)")
      .requiredOption("--repo <owner/repo>", "the repository")
      .requiredOption("--pr <number>", "the pull request")
      .action(async (opts: AllowDestroyOptions) => {
        const repo = parseRepo(opts.repo);
        if (!repo) throw new UsageError(`--repo ${JSON.stringify(opts.repo)}: expected OWNER/REPO`);
        const number = Number(opts.pr);
        if (!Number.isInteger(number) || number <= 0) throw new UsageError(`--pr ${JSON.stringify(opts.pr)}: expected a pull request number`);
        let approverTeams;
        try {
          approverTeams = parseApproverTeams(io.env.GITOPS_DESTROY_APPROVERS);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
        const octokit = gitHubClientFromEnv(io, requireGitHubToken(io, "reading the label's timeline"));
        let approval;
        try {
          approval = await destroyApproval(octokit, { ...repo, number }, { approverTeams });
        } catch (error) {
          throw new CommandFailure(`could not check who added ${ALLOW_DESTROY_LABEL}: ${describeGitHubError(error)}`);
        }
        io.stdout(`${approval.allowed ? "allowed" : "not allowed"}: ${approval.reason}\n`);
        if (io.env.GITHUB_OUTPUT) {
          // `approval`: for the plan comment, only when someone put the label on (one line, our words).
          const approvalLine = approval.by !== undefined ? approval.reason.replace(/[\r\n]/g, " ") : "";
          await io.writer.appendText(io.env.GITHUB_OUTPUT, `labels=${approval.allowed ? ALLOW_DESTROY_LABEL : ""}\napproval=${approvalLine}\n`);
        }
      });
  },
};
