// What `kubectl kustomize DIR` can read, so an Application whose inputs are the same in the base and
// the head is rendered at most once (not at all when the Application itself is unchanged; see
// preview.ts): most Applications in a pull request are unchanged, and each render costs a kubectl
// start and an OpenAPI parse.
//
// With kustomize's default load restrictor (the preview never relaxes it), a kustomization reads files
// only inside its own directory; other directories come in as whole kustomizations, through
// `resources`, `bases` and `components`, and as configurations through `transformers`, `generators`
// and `validators`. So the inputs are those directories, found recursively, and every file in them.
// Anything that cannot be bounded that way (a remote resource, an inline configuration, a path that
// does not exist, a directory outside the checkout, a symbolic link) means "unknown": both sides are
// rendered.
import { createHash } from "node:crypto";
import { isAbsolute, join, normalize, relative, sep } from "node:path";
import { parseDocument } from "yaml";

/** What the digest needs from the filesystem (PreviewIo provides it). */
export interface TreeReader {
  /** Files under `dir`, relative and sorted, or undefined when the tree holds a symbolic link. */
  listTree(dir: string): Promise<readonly string[] | undefined>;
  isDirectory(path: string): Promise<boolean>;
  exists(path: string): Promise<boolean>;
  readText(path: string): Promise<string>;
  /** A file's bytes: a generator's binary file must not hash like another one decoded to U+FFFD. */
  readBytes(path: string): Promise<Uint8Array>;
}

const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];
const DIRECTORY_KEYS = ["resources", "bases", "components", "transformers", "generators", "validators"] as const;

/** `dir` as a path inside `root`, or undefined when it is outside. */
function inside(root: string, dir: string): string | undefined {
  const rel = relative(root, dir);
  return rel === "" ? "." : rel.startsWith("..") || isAbsolute(rel) ? undefined : rel;
}

/**
 * A digest of every file `kubectl kustomize <root>/<path>` can read, with paths relative to `root`, or
 * undefined when the inputs cannot be bounded. Equal digests of the base and the head mean equal renders.
 */
export async function renderInputsDigest(io: TreeReader, root: string, path: string): Promise<string | undefined> {
  const dirs = new Set<string>();
  const visit = async (dir: string): Promise<boolean> => {
    const rel = inside(root, dir);
    if (rel === undefined) return false;
    if (dirs.has(rel)) return true;
    dirs.add(rel);
    const file = (await Promise.all(KUSTOMIZATION_FILES.map(async (f) => ((await io.exists(join(dir, f))) ? f : undefined)))).find(Boolean);
    if (!file) return false;
    const parsed = parseDocument(await io.readText(join(dir, file)));
    if (parsed.errors.length > 0) return false;
    const doc = parsed.toJS() as Record<string, unknown> | null;
    for (const key of DIRECTORY_KEYS) {
      const entries = doc?.[key];
      if (entries === undefined || entries === null) continue;
      if (!Array.isArray(entries)) return false;
      for (const entry of entries) {
        if (typeof entry !== "string") return false;
        const target = normalize(join(dir, entry));
        if (await io.isDirectory(target)) {
          if (!(await visit(target))) return false;
        } else if (!(await io.exists(target)) || inside(dir, target) === undefined) {
          // A remote resource, an inline transformer configuration (YAML, not a path), a missing
          // path, or a file outside the kustomization (which the restrictor refuses anyway): not
          // something to reason about here.
          return false;
        }
      }
    }
    return true;
  };
  if (!(await visit(normalize(join(root, path))))) return undefined;

  const hash = createHash("sha256");
  for (const rel of [...dirs].sort()) {
    const files = await io.listTree(join(root, rel));
    if (files === undefined) return undefined;
    for (const file of files) {
      hash.update(`${rel}${sep}${file}\0`);
      hash.update(await io.readBytes(join(root, rel, file)));
      hash.update("\0");
    }
  }
  return hash.digest("hex");
}
