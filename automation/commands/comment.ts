// `gitops comment`: create or update the one sticky comment for a key on a pull request.
import { CommandFailure, UsageError } from "../errors";
import { parseRepo } from "../github/pull-request";
import { describeGitHubError } from "../github/request-error";
import { upsertStickyComment } from "../github/sticky-comment";
import { GITHUB_COMMENT_LIMIT, assertCommentKey } from "../render/comment";
import { collect, type CommandModule } from "./types";
import { gitHubClientFromEnv, requireGitHubToken } from "./github-env";

interface CommentOptions {
  repo: string;
  pr: string;
  bodyFile: string;
  key: string;
  author: string[];
  dryRun?: boolean;
}

/** Any gitops marker: `<!-- gitops:<command> key=<key> -->`. */
const MARKER = /^<!-- gitops:([a-z][a-z-]*) key=(\S+) -->$/;

export const commentCommand: CommandModule = {
  register(program, io) {
    program
      .command("comment")
      .description("create or update the sticky comment for --key on a pull request")
      .requiredOption("--repo <owner/repo>", "repository")
      .requiredOption("--pr <number>", "pull request number")
      .requiredOption("--body-file <file>", "comment body (from `gitops render`), stored exactly")
      .option("--key <key>", "which sticky comment", "plan")
      .option("--author <login>", "also treat comments by this login as ours (default: bot users only); repeatable", collect, [])
      .option("--dry-run", "print what would be done without writing")
      .action(async (opts: CommentOptions) => {
        const repo = parseRepo(opts.repo);
        if (!repo) throw new UsageError(`--repo ${JSON.stringify(opts.repo)}: expected OWNER/REPO`);
        const pr = Number(opts.pr);
        if (!Number.isInteger(pr) || pr <= 0) throw new UsageError(`--pr ${JSON.stringify(opts.pr)}: expected a pull request number`);
        assertCommentKey(opts.key);
        const body = await io.files.readText(opts.bodyFile);
        if (body.length > GITHUB_COMMENT_LIMIT) {
          throw new UsageError(`${opts.bodyFile}: ${body.length} characters; GitHub's limit is ${GITHUB_COMMENT_LIMIT} (render with --max-chars)`);
        }
        const marker = (body.split("\n", 1)[0] ?? "").replace(/\r$/, "");
        const match = MARKER.exec(marker);
        if (!match) throw new UsageError(`${opts.bodyFile}: first line must be a gitops marker such as <!-- gitops:plan key=${opts.key} --> (write the body with \`gitops render\`)`);
        if (match[2] !== opts.key) throw new UsageError(`${opts.bodyFile}: marker has key=${match[2]} but --key is ${opts.key}`);
        const octokit = gitHubClientFromEnv(io, requireGitHubToken(io));
        try {
          const result = await upsertStickyComment(octokit, {
            ...repo,
            issueNumber: pr,
            marker,
            body,
            authors: opts.author,
            dryRun: opts.dryRun === true,
            log: (m) => io.stderr(`${m}\n`),
            sleep: (ms) => io.sleep(ms),
          });
          if (result.dryRun) {
            io.stdout(result.action === "created" ? "create\n" : `${result.action === "updated" ? "update" : "unchanged"} ${result.commentId}\n`);
            for (const id of result.deleted) io.stdout(`delete ${id}\n`);
          } else {
            io.stdout(`${result.action} ${result.commentId} ${result.url ?? ""}`.trimEnd() + "\n");
            for (const id of result.deleted) io.stdout(`deleted ${id}\n`);
          }
        } catch (error) {
          if (error instanceof UsageError) throw error;
          throw new CommandFailure(describeGitHubError(error));
        }
      });
  },
};
