// Real terraform for the end-to-end tests: the binary on PATH (tests skip without it), and synth
// outputs of built-in terraform_data stacks with local state, which need no provider and no network.
import { accessSync, constants, mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { writeSynthOutput } from "./fake-terraform";

/** The environment every test gives terraform: no cloud metadata, no checkpoint calls. */
export const SAFE_ENV = { AWS_EC2_METADATA_DISABLED: "true", CHECKPOINT_DISABLE: "1", PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", TMPDIR: tmpdir() };

/** The terraform executable on PATH, found without starting it (each start costs ~0.1 s of CPU). */
export function findTerraform(): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(delimiter).filter(Boolean)) {
    try {
      accessSync(join(dir, "terraform"), constants.X_OK);
      return join(dir, "terraform");
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Two dependent stacks of terraform_data with local state next to the synth output (no cloud, no providers). */
export function writeTerraformDataSynth(dir: string, greeting: string): void {
  writeSynthOutput(dir, { "app-base": [], "app-top": ["app-base"] });
  const state = (name: string) => `../../../state/${name}.tfstate`;
  writeFileSync(
    join(dir, "stacks", "app-base", "cdk.tf.json"),
    JSON.stringify({
      terraform: { backend: { local: { path: state("app-base") } } },
      resource: { terraform_data: { base: { input: greeting } } },
      output: { base_value: { value: "${terraform_data.base.output}" }, token: { value: "s3cr3t-XYZZY-token", sensitive: true } },
    }),
  );
  writeFileSync(
    join(dir, "stacks", "app-top", "cdk.tf.json"),
    JSON.stringify({
      terraform: { backend: { local: { path: state("app-top") } } },
      data: { terraform_remote_state: { base: { backend: "local", config: { path: state("app-base") } } } },
      resource: { terraform_data: { top: { input: "${data.terraform_remote_state.base.outputs.base_value}" } } },
    }),
  );
}

/**
 * Local state holding terraform_data resources (name → input) and outputs, as if they had been
 * applied: the resources and outputs as Terraform 1.11 writes them in state version 4 (a real apply
 * also records the data sources a stack read, and their dependencies; plans do not need them). Writing
 * it costs nothing; an init and an apply per stack cost ~0.2 s of CPU each, and the tests that only
 * need applied stacks are not about applying.
 */
export function writeTerraformDataState(
  path: string,
  options: { serial: number; resources: Record<string, string>; outputs?: Record<string, { value: string; sensitive?: boolean }> },
): void {
  const resources = Object.entries(options.resources).map(([name, value], i) => ({
    mode: "managed",
    type: "terraform_data",
    name,
    provider: 'provider["terraform.io/builtin/terraform"]',
    instances: [
      {
        schema_version: 0,
        attributes: { id: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`, input: { value, type: "string" }, output: { value, type: "string" }, triggers_replace: null },
        sensitive_attributes: [],
      },
    ],
  }));
  const outputs = Object.fromEntries(Object.entries(options.outputs ?? {}).map(([name, o]) => [name, { value: o.value, type: "string", ...(o.sensitive ? { sensitive: true } : {}) }]));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify({ version: 4, terraform_version: "1.11.4", serial: options.serial, lineage: `lineage-${path}`, outputs, resources, check_results: null }, null, 2));
}
