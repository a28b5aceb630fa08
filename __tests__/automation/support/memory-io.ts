// A CliIo that records output; files come from disk unless overridden, GitHub from the given factory.
import type { Octokit } from "@octokit/rest";
import type { GitHubClientOptions } from "../../../automation/github/client";
import { createGitHubClient } from "../../../automation/github/client";
import { type CliIo, nodeFileReader, nodeFileWriter } from "../../../automation/io";
import { createTerraformRunner, type TerraformRunner } from "../../../automation/terraform";
import { run } from "../../../automation/cli";
import type { PreviewIo } from "../../../automation/preview/preview";
import { processPreviewIo } from "../../../automation/preview/process-io";

export interface Captured {
  code: number;
  stdout: string;
  stderr: string;
  sleeps: number[];
}

export interface MemoryIoOptions {
  env?: Record<string, string | undefined>;
  /** Options forced onto every GitHub client the command creates (tiny delays in tests). */
  github?: Partial<GitHubClientOptions>;
  /** Replaces the process runner (fakes replaying plan JSON); default: the real, checked binary. */
  terraform?: TerraformRunner;
  /** Stands in for `npm run synth`. */
  runSynth?: (args: readonly string[], outdir: string) => Promise<number>;
  /** Files and kustomize for `gitops preview`; default: the real ones, with kubectl found on env.PATH. */
  previewIo?: PreviewIo;
}

export async function runCli(args: string[], options: MemoryIoOptions = {}): Promise<Captured> {
  let stdout = "";
  let stderr = "";
  const sleeps: number[] = [];
  const io: CliIo = {
    stdout: (t) => void (stdout += t),
    stderr: (t) => void (stderr += t),
    env: options.env ?? {},
    files: nodeFileReader,
    createGitHubClient: (o): Octokit => createGitHubClient({ ...o, ...options.github }),
    sleep: async (ms) => void sleeps.push(ms),
    writer: nodeFileWriter,
    isTerminal: false,
    createTerraform: async (explicit, runnerOptions) => options.terraform ?? createTerraformRunner(explicit, options.env ?? {}, runnerOptions),
    runSynth: options.runSynth ?? (async () => 0),
    createPreviewIo: () => options.previewIo ?? processPreviewIo(options.env ?? {}),
  };
  const code = await run(["node", "gitops", ...args], io);
  return { code, stdout, stderr, sleeps };
}
