// Checks over the repository's Markdown (README.md and docs/): relative links and anchors resolve,
// commands in shell blocks exist, and the config reference lists exactly the keys of the schemas.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import type { z } from "zod";

/** Lines outside fenced code blocks, with inline code removed (links in code are examples). */
function prose(text: string): string[] {
  let fenced = false;
  return text.split("\n").map((line) => {
    if (/^\s*```/.test(line)) {
      fenced = !fenced;
      return "";
    }
    return fenced ? "" : line.replace(/`[^`]*`/g, "");
  });
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
export function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of text.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    if (fenced) continue;
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line.replace(/`([^`]*)`/g, "$1"));
    if (!m) continue;
    const base = m[1]!
      .toLowerCase()
      .replace(/<[^>]+>/g, "")
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** Every relative link or anchor in `file` that does not resolve, as "file: target (why)". */
export function brokenLinks(file: string, root: string): string[] {
  const text = readFileSync(file, "utf8");
  const problems: string[] = [];
  const name = relative(root, file);
  for (const line of prose(text)) {
    for (const m of line.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) {
      const target = m[1]!;
      if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // https:, mailto:
      const [path, anchor] = target.split("#") as [string, string | undefined];
      const resolved = path === "" ? file : resolve(dirname(file), path);
      if (!existsSync(resolved)) {
        problems.push(`${name}: ${target} (no such file)`);
        continue;
      }
      if (anchor !== undefined && resolved.endsWith(".md") && !anchorsOf(readFileSync(resolved, "utf8")).has(anchor)) {
        problems.push(`${name}: ${target} (no heading with anchor #${anchor})`);
      }
    }
  }
  return problems;
}

/** Shell lines of ```sh / ```bash blocks. */
export function shellLines(text: string): string[] {
  const lines: string[] = [];
  let inShell = false;
  for (const line of text.split("\n")) {
    const fence = /^\s*```(\S*)/.exec(line);
    if (fence) {
      inShell = !inShell && ["sh", "bash", "shell", "console"].includes(fence[1] ?? "");
      continue;
    }
    if (inShell) lines.push(line);
  }
  return lines;
}

/** npm scripts and gitops subcommands named in shell lines. */
export function commandsIn(lines: readonly string[]): { npmScripts: string[]; gitopsCommands: string[] } {
  const npmScripts: string[] = [];
  const gitopsCommands: string[] = [];
  for (const line of lines) {
    for (const m of line.matchAll(/\bnpm run (?:--silent )?([a-z][\w:-]*)/g)) npmScripts.push(m[1]!);
    for (const m of line.matchAll(/\bgitops -- ([a-z][\w-]*)/g)) gitopsCommands.push(m[1]!);
  }
  return { npmScripts, gitopsCommands };
}

interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  valueType?: z.ZodType;
}

const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/**
 * Dotted key paths of a zod object schema; records add a `<name>` step (`cluster.nodeGroups.<name>.minSize`).
 * A record of plain values is one key (`tags.<name>`).
 */
export function keyPaths(schema: z.ZodType, prefix = ""): string[] {
  const def = defOf(schema);
  if (def.type === "optional" || def.type === "default" || def.type === "nullable" || def.type === "pipe") {
    return keyPaths(def.innerType ?? (def as unknown as { in: z.ZodType }).in, prefix);
  }
  if (def.type === "object" && def.shape) {
    return Object.entries(def.shape).flatMap(([key, value]) => keyPaths(value, prefix ? `${prefix}.${key}` : key));
  }
  if (def.type === "record" && def.valueType) {
    const inner = keyPaths(def.valueType, `${prefix}.<name>`);
    return inner.length > 0 ? inner : [`${prefix}.<name>`];
  }
  return prefix ? [prefix] : [];
}

/** Keys in the first column of the reference tables under a heading that names the config file. */
export function documentedKeys(text: string, fileHeading: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => /^#{2,3}\s/.test(l) && l.includes(fileHeading));
  if (start < 0) return [];
  const keys: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (/^#{2,3}\s/.test(line)) break;
    const m = /^\|\s*`([^`]+)`\s*\|/.exec(line);
    if (m) keys.push(m[1]!);
  }
  return keys;
}

export const REPO = resolve(__dirname, "..", "..");
export const markdownFiles = (): string[] => [join(REPO, "README.md"), ...readDocs()];

function readDocs(): string[] {
  const dir = join(REPO, "docs");
  return readdirSync(dir)
    .filter((f) => f.endsWith(".md"))
    .sort()
    .map((f) => join(dir, f));
}
