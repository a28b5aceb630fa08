// The side effects commands may use. Tests pass their own CliIo; index.ts passes processIo.
import { readFile } from "node:fs/promises";
import type { Octokit } from "@octokit/rest";
import { UsageError } from "./errors";
import { createGitHubClient, type GitHubClientOptions } from "./github/client";

export interface FileReader {
  /** Reads a UTF-8 file; a missing or unreadable file is a UsageError naming the path. */
  readText(path: string): Promise<string>;
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly files: FileReader;
  createGitHubClient(options: GitHubClientOptions): Octokit;
  /** Waits between our own retries (Octokit's plugins keep their own timers). */
  sleep(ms: number): Promise<void>;
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
  };
}
