// Builds every stack of the given environments into an app. Stacks are composed here; the
// composition root (main.ts) only decides which configs and where to write.
import { App } from "cdktf";
import type { EnvironmentConfig } from "../config/schema";
import { ClusterStack } from "./cluster-stack";
import { GitopsStack, LocalGitopsStack } from "./gitops-stack";

export function buildApp(configs: readonly EnvironmentConfig[], outdir: string): App {
  const app = new App({ outdir, stackTraces: false });
  for (const config of configs) {
    if (config.kind === "local") {
      new LocalGitopsStack(app, config);
      continue;
    }
    const cluster = new ClusterStack(app, config);
    new GitopsStack(app, config, cluster);
  }
  return app;
}
