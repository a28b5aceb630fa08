// Skipping a `terraform init` that would change nothing. Init reads the `terraform` block (backend,
// required providers), module sources and the dependency lock file, and depends on the binary and on a
// few TF_* variables; when none of them changed since the last successful init in the same directory,
// running it again only costs time (seconds per stack with the AWS provider, on every local
// `npm run diff`). CI checks out a fresh directory and always initializes. The marker lives in
// `.terraform/`, so deleting that directory forces a new init; and a plan that still asks for an init
// gets one (ProcessTerraformRunner.plan).
import { createHash } from "node:crypto";
import { readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

const CONFIG_FILE = "cdk.tf.json";
const LOCK_FILE = ".terraform.lock.hcl";
export const INIT_MARKER = join(".terraform", "gitops-init-inputs.sha256");

/** Variables that change what init does or where it writes. */
const INIT_VARIABLES = ["TF_CLI_ARGS", "TF_CLI_ARGS_init", "TF_PLUGIN_CACHE_DIR", "TF_CLI_CONFIG_FILE", "TF_WORKSPACE"] as const;

export interface InitContext {
  readonly args: readonly string[];
  /** The binary (path, size, time, version when known): another Terraform or OpenTofu initializes again. */
  readonly binary: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

async function readOrUndefined(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * A digest of what init reads in `dir` besides the lock file (which init itself may update), or
 * undefined when it cannot be known: no cdk.tf.json, unparsable JSON, other Terraform files next to it
 * (which could add a backend, providers or modules this digest does not see), or TF_DATA_DIR (the
 * marker would not be where init writes).
 */
export async function initConfigDigest(dir: string, context: InitContext): Promise<string | undefined> {
  if (context.env.TF_DATA_DIR) return undefined;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  if (names.some((n) => n !== CONFIG_FILE && (n.endsWith(".tf") || n.endsWith(".tf.json")))) return undefined;
  const text = await readOrUndefined(join(dir, CONFIG_FILE));
  if (text === undefined) return undefined;
  let config: { terraform?: unknown; module?: Record<string, { source?: unknown; version?: unknown }> };
  try {
    config = JSON.parse(text) as typeof config;
  } catch {
    return undefined;
  }
  const modules = Object.fromEntries(Object.entries(config.module ?? {}).map(([name, m]) => [name, { source: m?.source, version: m?.version }]));
  const variables = Object.fromEntries(INIT_VARIABLES.map((v) => [v, context.env[v] ?? null]));
  return sha256(JSON.stringify({ args: context.args, binary: context.binary, variables, terraform: config.terraform ?? null, modules }));
}

/** The marker: the config digest taken before init, with the lock file as init left it. */
async function markerFor(dir: string, configDigest: string): Promise<string> {
  return sha256(`${configDigest}\0${(await readOrUndefined(join(dir, LOCK_FILE))) ?? ""}`);
}

/** True when the last successful init in `dir` saw exactly these inputs. */
export async function initIsCurrent(dir: string, configDigest: string | undefined): Promise<boolean> {
  if (configDigest === undefined) return false;
  return (await readOrUndefined(join(dir, INIT_MARKER)))?.trim() === (await markerFor(dir, configDigest));
}

/**
 * Records a successful init of the inputs digested before it ran. Only where init created `.terraform/`
 * (a stack without backend or providers has none, and nothing to skip).
 */
export async function recordInit(dir: string, configDigest: string | undefined): Promise<void> {
  if (configDigest === undefined) return;
  try {
    await writeFile(join(dir, INIT_MARKER), `${await markerFor(dir, configDigest)}\n`);
  } catch {
    // No .terraform directory.
  }
}

export async function forgetInit(dir: string): Promise<void> {
  await rm(join(dir, INIT_MARKER), { force: true });
}
