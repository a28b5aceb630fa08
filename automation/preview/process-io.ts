// PreviewIo on the real filesystem and `kubectl kustomize` (kubectl ships kustomize; GitHub's runners
// have it). Only reading and rendering: no plugins, no Helm inflation, nothing executed from the tree.
import { spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { lstat, readdir, readFile, stat } from "node:fs/promises";
import { delimiter, join } from "node:path";
import { CommandFailure, UsageError } from "../errors";
import { nodeFileReader } from "../io";
import type { PreviewIo } from "./preview";

export function findKubectl(env: Readonly<Record<string, string | undefined>>): string {
  const wanted = env.GITOPS_KUBECTL ?? "kubectl";
  const candidates = wanted.includes("/") ? [wanted] : (env.PATH ?? "").split(delimiter).filter(Boolean).map((d) => join(d, wanted));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // next
    }
  }
  throw new UsageError(
    `kubectl not found (looked for "${wanted}"${wanted.includes("/") ? "" : " on PATH"}): install kubectl, which includes kustomize (https://kubernetes.io/docs/tasks/tools/), or point GITOPS_KUBECTL at it`,
  );
}

async function entries(dir: string): Promise<{ name: string; isDirectory: boolean }[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).map((e) => ({ name: e.name, isDirectory: e.isDirectory() }));
  } catch {
    return [];
  }
}

const statOrUndefined = (path: string) => stat(path).catch(() => undefined);

export function processPreviewIo(env: Readonly<Record<string, string | undefined>>): PreviewIo {
  const kubectl = findKubectl(env);
  return {
    listDirs: async (dir) => (await entries(dir)).filter((e) => e.isDirectory).map((e) => e.name).sort(),
    listYaml: async (dir) => (await entries(dir)).filter((e) => !e.isDirectory && /\.ya?ml$/.test(e.name)).map((e) => e.name).sort(),
    readText: (path) => nodeFileReader.readText(path),
    readBytes: (path) => readFile(path),
    listTree: async (dir) => {
      const files: string[] = [];
      const walk = async (rel: string): Promise<boolean> => {
        for (const entry of (await readdir(join(dir, rel), { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
          const path = rel ? join(rel, entry.name) : entry.name;
          if (entry.isSymbolicLink()) return false;
          if (entry.isDirectory()) {
            if (!(await walk(path))) return false;
          } else files.push(path);
        }
        return true;
      };
      try {
        if ((await lstat(dir)).isSymbolicLink()) return undefined;
        return (await walk("")) ? files : undefined;
      } catch {
        return undefined;
      }
    },
    isDirectory: async (path) => (await statOrUndefined(path))?.isDirectory() ?? false,
    exists: async (path) => (await statOrUndefined(path)) !== undefined,
    kustomize: (dir) =>
      new Promise((resolve, reject) => {
        const child = spawn(kubectl, ["kustomize", dir], { stdio: ["ignore", "pipe", "pipe"], env: { PATH: env.PATH ?? "", HOME: env.HOME ?? "/tmp" } });
        let out = "";
        let err = "";
        child.stdout.on("data", (c: Buffer) => (out += c.toString()));
        child.stderr.on("data", (c: Buffer) => (err += c.toString()));
        child.on("error", reject);
        child.on("close", (code) => (code === 0 ? resolve(out) : reject(new CommandFailure(`kubectl kustomize ${dir} failed (exit ${code}): ${err.trim().slice(0, 500)}`))));
      }),
  };
}
