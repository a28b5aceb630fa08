// Writes the synth output all-or-nothing: stacks are synthesized into a sibling temp dir, checked,
// and only then swapped in, so a failing synth leaves the previous cdktf.out untouched.
import { existsSync, readdirSync, readFileSync, renameSync, rmSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import type { BootstrapAccount } from "../config/bootstrap-schema";
import type { EnvironmentConfig } from "../config/schema";
import { Policy, type PolicyReport } from "../constructs/policies";
import { buildApp } from "./app";

export interface StackReport {
  readonly name: string;
  readonly resources: number;
  readonly outputs: readonly string[];
  readonly dependencies: readonly string[];
}

export interface Annotation {
  readonly constructPath: string;
  readonly level: string;
  readonly message: string;
}

export class SynthError extends Error {
  constructor(readonly annotations: readonly Annotation[]) {
    // Policy findings already name their construct path; other annotations get it prepended.
    const lines = annotations.map((a) => `ERROR ${a.message.includes(a.constructPath) ? a.message : `${a.constructPath}: ${a.message}`}`);
    super(`synth failed with ${annotations.length} error(s):\n${lines.join("\n")}`);
    this.name = "SynthError";
  }
}

interface ManifestStack {
  readonly synthesizedStackPath: string;
  readonly dependencies: readonly string[];
  readonly annotations: readonly Annotation[];
}

function readManifest(dir: string): Record<string, ManifestStack> {
  return (JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8")) as { stacks: Record<string, ManifestStack> }).stacks;
}

/** Resource count and output names per stack, read back from the written JSON. */
export function reportStacks(outdir: string): StackReport[] {
  return Object.entries(readManifest(outdir))
    .map(([name, stack]) => {
      const json = JSON.parse(readFileSync(join(outdir, stack.synthesizedStackPath), "utf8")) as {
        resource?: Record<string, Record<string, unknown>>;
        output?: Record<string, unknown>;
      };
      const resources = Object.values(json.resource ?? {}).reduce((n, byName) => n + Object.keys(byName).length, 0);
      const outputs = Object.keys(json.output ?? {}).filter((o) => !o.startsWith("cross-stack-output-"));
      return { name, resources, outputs, dependencies: stack.dependencies };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface SynthObserver {
  /** Receives the guardrails' report once the app is synthesized, also when synth then fails on errors. */
  readonly onPolicyReport?: (report: PolicyReport) => void;
}

/**
 * Synthesizes the configs into `outdir`. Throws SynthError (outdir untouched) when any stack carries
 * an error annotation, e.g. a policy violation.
 */
export function synthesize(
  configs: readonly EnvironmentConfig[],
  outdir: string,
  bootstraps: readonly BootstrapAccount[] = [],
  observer: SynthObserver = {},
): StackReport[] {
  // Report every error annotation of every stack instead of stopping at the first stack (CDKTF-FACTS).
  process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS ??= "true";
  const target = resolve(outdir);
  const staging = join(dirname(target), `.${basename(target)}.tmp-${process.pid}`);
  rmSync(staging, { recursive: true, force: true });
  try {
    const app = buildApp(configs, staging, bootstraps);
    app.synth();
    const policy = Policy.reportOf(app);
    if (policy) observer.onPolicyReport?.(policy);
    const errors = Object.values(readManifest(staging)).flatMap((s) => s.annotations.filter((a) => a.level === "@cdktf/error"));
    if (errors.length) throw new SynthError(errors);
    const previous = `${staging}.old`;
    if (existsSync(target)) {
      keepTerraformWorkingFiles(target, staging);
      renameSync(target, previous);
    }
    renameSync(staging, target);
    rmSync(previous, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return reportStacks(target);
}

/**
 * What `terraform init` left in each stack directory (`.terraform/`: the backend record, providers and
 * modules; `.terraform.lock.hcl`) moves into the new output, as the cdktf CLI keeps it: the next plan
 * of an unchanged stack needs no init (automation/init-marker.ts), instead of installing the providers
 * again after every synth. Only stacks that exist in both outputs; nothing of a removed stack survives.
 */
function keepTerraformWorkingFiles(previousOut: string, nextOut: string): void {
  const stacksDir = (out: string) => join(out, "stacks");
  if (!existsSync(stacksDir(previousOut)) || !existsSync(stacksDir(nextOut))) return;
  for (const stack of readdirSync(stacksDir(nextOut))) {
    for (const entry of [".terraform", ".terraform.lock.hcl"]) {
      const from = join(stacksDir(previousOut), stack, entry);
      if (existsSync(from)) renameSync(from, join(stacksDir(nextOut), stack, entry));
    }
  }
}

export function formatStackTable(reports: readonly StackReport[]): string {
  const rows = [
    ["stack", "resources", "outputs", "depends on"],
    ...reports.map((r) => [r.name, String(r.resources), r.outputs.join(", ") || "-", r.dependencies.join(", ") || "-"]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()).join("\n");
}
