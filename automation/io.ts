// The side effects commands may use. Tests pass their own CliIo; index.ts passes processIo.
import { spawn } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Octokit } from "@octokit/rest";
import { UsageError } from "./errors";
import { createGitHubClient, type GitHubClientOptions } from "./github/client";
import { createTerraformRunner, type TerraformRunner, type TerraformRunnerOptions } from "./terraform";
import type { PreviewIo } from "./preview/preview";
import { processPreviewIo } from "./preview/process-io";

export interface FileReader {
  /** Reads a UTF-8 file; a missing or unreadable file is a UsageError naming the path. */
  readText(path: string): Promise<string>;
}

/** Files the orchestration commands write: plan outputs, comment bodies, the job summary. */
export interface FileWriter {
  writeText(path: string, text: string): Promise<void>;
  appendText(path: string, text: string): Promise<void>;
  makeDir(path: string): Promise<void>;
  makeTempDir(prefix: string): Promise<string>;
  remove(path: string): Promise<void>;
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly files: FileReader;
  createGitHubClient(options: GitHubClientOptions): Octokit;
  /** Waits between our own retries (Octokit's plugins keep their own timers). */
  sleep(ms: number): Promise<void>;
  readonly writer: FileWriter;
  /** stdout is a terminal (colours allowed). */
  readonly isTerminal: boolean;
  /** A checked Terraform (binary found, version supported); `explicit` is `--terraform`. */
  createTerraform(explicit: string | undefined, options?: TerraformRunnerOptions): Promise<TerraformRunner>;
  /** Runs the project's synth (`npm run synth`) into `outdir` for `gitops diff`; resolves to its exit code. */
  runSynth(args: readonly string[], outdir: string): Promise<number>;
  /** Files and `kubectl kustomize` for `gitops preview`; a missing kubectl is a UsageError. */
  createPreviewIo(): PreviewIo;
}

export const nodeFileWriter: FileWriter = {
  writeText: (path, text) => writeFile(path, text),
  appendText: (path, text) => appendFile(path, text),
  makeDir: async (path) => void (await mkdir(path, { recursive: true })),
  makeTempDir: (prefix) => mkdtemp(join(tmpdir(), prefix)),
  remove: (path) => rm(path, { recursive: true, force: true }),
};

/** `npm run --silent synth -- ARGS` with the user's terminal attached (synth prints its own table). */
function runNpmSynth(args: readonly string[], outdir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn("npm", ["run", "--silent", "synth", ...(args.length ? ["--", ...args] : [])], {
      stdio: ["ignore", "inherit", "inherit"],
      // The synth entry writes where CDKTF_OUTDIR says, like under the cdktf CLI.
      env: { ...process.env, CDKTF_OUTDIR: outdir },
    });
    child.on("error", reject);
    child.on("close", (code) => resolve(code ?? 1));
  });
}

export const nodeFileReader: FileReader = {
  async readText(path) {
    try {
      return await readFile(path, "utf8");
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT") throw new UsageError(`${path}: no such file`);
      if (code === "EISDIR") throw new UsageError(`${path}: is a directory, expected a file`);
      throw new UsageError(`${path}: cannot read (${code ?? String(error)})`);
    }
  },
};

export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    files: nodeFileReader,
    createGitHubClient,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    writer: nodeFileWriter,
    isTerminal: process.stdout.isTTY === true,
    createTerraform: (explicit, options) => createTerraformRunner(explicit, process.env, options),
    runSynth: runNpmSynth,
    createPreviewIo: () => processPreviewIo(process.env),
  };
}
