// Builds every stack of the given environments into an app. Stacks are composed here; the
// composition root (main.ts) only decides which configs and where to write.
import { App } from "cdktf";
import type { BootstrapAccount } from "../config/bootstrap-schema";
import type { EnvironmentConfig } from "../config/schema";
import { Policy } from "../constructs/policies";
import { BootstrapStack } from "./bootstrap-stack";
import { ClusterStack } from "./cluster-stack";
import { GitopsStack, LocalGitopsStack } from "./gitops-stack";

export function buildApp(configs: readonly EnvironmentConfig[], outdir: string, bootstraps: readonly BootstrapAccount[] = []): App {
  const app = new App({ outdir, stackTraces: false });
  for (const account of bootstraps) new BootstrapStack(app, account.config, account.stack);
  for (const config of configs) {
    if (config.kind === "local") {
      new LocalGitopsStack(app, config);
      continue;
    }
    const cluster = new ClusterStack(app, config);
    new GitopsStack(app, config, cluster);
  }
  // Guardrails on every stack, added last so they see all of them (cdktf 0.21 ignores app-level aspects).
  // OIDC trust may only name the repositories this project deploys from.
  const repositories = configs.map((c) => c.gitops.repoUrl);
  for (const { config } of bootstraps) repositories.push(`${config.github.owner}/${config.github.repo}`);
  Policy.apply(app, { githubRepositories: repositories });
  return app;
}
