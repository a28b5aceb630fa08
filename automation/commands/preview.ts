// `gitops preview`: the review of the pull pipeline. Renders what Argo CD would deploy from gitops/ in
// two checkouts (the pull request's base and head) and shows the difference per environment.
import { resolve } from "node:path";
import { isDestroyAllowed, parseList } from "../destroy-guard";
import { CommandFailure, UsageError } from "../errors";
import { type EnvironmentPreview, previewEnvironment, previewEnvironments } from "../preview/preview";
import { renderPreviewComment } from "../preview/render";
import { GITHUB_COMMENT_LIMIT } from "../render/comment";
import type { CommandModule } from "./types";
import { Option } from "commander";

interface PreviewOptions {
  base: string;
  head: string;
  env?: string;
  format: "markdown" | "json";
  maxChars: string;
  strict?: boolean;
  labels?: string;
}

export const previewCommand: CommandModule = {
  register(program, io) {
    program
      .command("preview")
      .description("what a change to gitops/ does to what Argo CD deploys: Applications and kustomize-rendered objects, base vs head")
      .requiredOption("--base <dir>", "checkout of the pull request's base")
      .requiredOption("--head <dir>", "checkout of the pull request")
      .option("--env <env>", "one environment (default: every directory of gitops/apps)")
      .addOption(new Option("--format <format>", "markdown comment or JSON").choices(["markdown", "json"]).default("markdown"))
      .option("--max-chars <n>", "largest comment body", String(GITHUB_COMMENT_LIMIT))
      .option("--strict", "exit 1 on a deletion unless the labels allow a destroy")
      .option("--labels <labels>", "the pull request's labels that count (from `gitops allow-destroy`), for --strict")
      .action(async (opts: PreviewOptions) => {
        const maxChars = Number(opts.maxChars);
        if (!Number.isInteger(maxChars) || maxChars < 1000) throw new UsageError(`--max-chars ${JSON.stringify(opts.maxChars)}: expected an integer of at least 1000`);
        const previewIo = io.createPreviewIo();
        const base = resolve(opts.base);
        const head = resolve(opts.head);
        const envs = opts.env !== undefined ? [opts.env] : await previewEnvironments(previewIo, base, head);
        if (envs.length === 0) throw new UsageError(`${opts.head}: no gitops/apps/<env>/ directories to preview`);
        const previews: EnvironmentPreview[] = [];
        for (const env of envs) previews.push(await previewEnvironment(previewIo, base, head, env));
        io.stdout(opts.format === "json" ? `${JSON.stringify(previews, null, 2)}\n` : renderPreviewComment(previews, maxChars));
        const problems: string[] = [];
        const errors = previews.flatMap((p) => p.findings.filter((f) => f.severity === "error").map((f) => `${p.env}: ${f.object}: ${f.message}`));
        if (errors.length > 0) problems.push(`${errors.length} finding(s) in the rendered manifests: ${errors.slice(0, 3).join("; ")}`);
        const deleting = previews.filter((p) => p.deletions.length > 0).map((p) => p.env);
        if (opts.strict && deleting.length > 0 && !isDestroyAllowed(parseList(opts.labels))) {
          problems.push(`deletions in ${deleting.join(", ")}: they need the allow-destroy label`);
        }
        if (problems.length > 0) throw new CommandFailure(problems.join("; "));
      });
  },
};
