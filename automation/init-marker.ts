// Skipping a `terraform init` that would change nothing. Init reads only the `terraform` block (backend,
// required providers), module sources and the dependency lock file; when none of them changed since
// the last successful init in the same directory, running it again only costs time (a second or more
// per stack with the AWS provider, on every local `npm run diff`). CI checks out a fresh directory and
// always initializes. The marker lives in `.terraform/`, so deleting that directory forces a new init.
import { createHash } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";

const CONFIG_FILE = "cdk.tf.json";
const LOCK_FILE = ".terraform.lock.hcl";
export const INIT_MARKER = join(".terraform", "gitops-init-inputs.sha256");

async function readOrEmpty(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * A digest of everything `terraform init` depends on in `dir`, or undefined when it cannot be known:
 * no cdk.tf.json, unparsable JSON, or other Terraform files next to it (which could add a backend,
 * providers or modules this digest does not see).
 */
export async function initInputsDigest(dir: string, initArgs: readonly string[]): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  if (names.some((n) => n !== CONFIG_FILE && (n.endsWith(".tf") || n.endsWith(".tf.json")))) return undefined;
  const text = await readOrEmpty(join(dir, CONFIG_FILE));
  if (text === undefined) return undefined;
  let config: { terraform?: unknown; module?: Record<string, { source?: unknown; version?: unknown }> };
  try {
    config = JSON.parse(text) as typeof config;
  } catch {
    return undefined;
  }
  const modules = Object.fromEntries(Object.entries(config.module ?? {}).map(([name, m]) => [name, { source: m?.source, version: m?.version }]));
  const inputs = { args: initArgs, terraform: config.terraform ?? null, modules, lock: (await readOrEmpty(join(dir, LOCK_FILE))) ?? null };
  return createHash("sha256").update(JSON.stringify(inputs)).digest("hex");
}

/** True when the last successful init in `dir` saw exactly these inputs. */
export async function initIsCurrent(dir: string, digest: string | undefined): Promise<boolean> {
  if (digest === undefined) return false;
  return (await readOrEmpty(join(dir, INIT_MARKER)))?.trim() === digest;
}

/** Records a successful init; only where init created `.terraform/` (a stack without backend or providers has none). */
export async function recordInit(dir: string, initArgs: readonly string[]): Promise<void> {
  const digest = await initInputsDigest(dir, initArgs);
  if (digest === undefined) return;
  try {
    await writeFile(join(dir, INIT_MARKER), `${digest}\n`);
  } catch {
    // No .terraform directory: nothing to skip next time either.
  }
}
