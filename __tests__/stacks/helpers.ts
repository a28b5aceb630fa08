// Synthesizes the project's real stacks from the shipped configs, once per test file.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { loadEnvironmentConfigs, type AwsEnvironmentConfig } from "../../config/schema";
import { ClusterStack } from "../../stacks/cluster-stack";
import { GitopsStack, LocalGitopsStack } from "../../stacks/gitops-stack";

export type TerraformJson = {
  terraform: { backend?: Record<string, Record<string, unknown>> };
  provider?: Record<string, Array<Record<string, unknown>>>;
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, Record<string, unknown>>;
};

export const configs = loadEnvironmentConfigs(join(__dirname, "../../config"));

export function awsConfig(env: string): AwsEnvironmentConfig {
  const config = configs.find((c) => c.environment === env);
  if (config?.kind !== "aws") throw new Error(`no aws environment ${env}`);
  return config;
}

export function synthStacks(env: string | AwsEnvironmentConfig): { cluster: TerraformJson; gitops: TerraformJson; clusterText: string; gitopsText: string } {
  const app = Testing.app();
  const config = typeof env === "string" ? awsConfig(env) : env;
  const cluster = new ClusterStack(app, config);
  const gitops = new GitopsStack(app, config, cluster);
  // A whole-app synth: cross-stack references only resolve when every stack is synthesized.
  app.synth();
  const read = (name: string) => readFileSync(join(app.outdir, "stacks", name, "cdk.tf.json"), "utf8");
  const clusterText = read(cluster.node.id);
  const gitopsText = read(gitops.node.id);
  return { cluster: JSON.parse(clusterText), gitops: JSON.parse(gitopsText), clusterText, gitopsText };
}

export function synthLocal(): TerraformJson {
  const config = configs.find((c) => c.kind === "local");
  if (config?.kind !== "local") throw new Error("no local environment");
  return JSON.parse(Testing.synth(new LocalGitopsStack(new App(), config)));
}

/** All resources of one type, by address name. */
export function resourcesOf(json: TerraformJson, type: string): Record<string, Record<string, unknown>> {
  return json.resource[type] ?? {};
}
