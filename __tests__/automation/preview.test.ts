// gitops preview on real trees: the repository's own gitops/ copied into a base and a head checkout,
// the head changed as a pull request would, rendered with the real `kubectl kustomize`.
import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { imageProblem } from "../../automation/preview/checks";
import { processPreviewIo } from "../../automation/preview/process-io";
import { type PreviewIo, previewEnvironment } from "../../automation/preview/preview";
import { renderPreviewComment } from "../../automation/preview/render";
import { schemaFinding } from "../../automation/preview/schema";
const REPO_ROOT = join(__dirname, "..", "..");
import { copyGitops, edit } from "./support/gitops-trees";
import { runCli } from "./support/memory-io";

let kubectlIo: PreviewIo | undefined;
try {
  kubectlIo = processPreviewIo(process.env);
} catch {
  console.warn("skipping the preview tests on real trees: no kubectl on PATH");
}

/**
 * Real kustomize, remembered by the content of the checkout's whole gitops/workloads/ tree and the
 * directory rendered (the checkouts below repeat the same trees, and each render costs ~0.3 s of CPU).
 * The key does not rely on render-inputs.ts, which these tests check.
 */
function memoized(io: PreviewIo): PreviewIo {
  const cache = new Map<string, Promise<string>>();
  const digest = (dir: string): string => {
    const h = createHash("sha256");
    const walk = (d: string) => {
      for (const name of readdirSync(d).sort()) {
        const p = join(d, name);
        if (statSync(p).isDirectory()) walk(p);
        else h.update(`${relative(dir, p)}\0`).update(readFileSync(p)).update("\0");
      }
    };
    walk(dir);
    return h.digest("hex");
  };
  return {
    ...io,
    kustomize: (dir) => {
      const workloads = join(dir.slice(0, dir.lastIndexOf(`${sep}gitops${sep}`)), "gitops", "workloads");
      const key = `${relative(workloads, dir)}:${digest(workloads)}`;
      if (!cache.has(key)) cache.set(key, io.kustomize(dir));
      return cache.get(key)!;
    },
  };
}

const trees = mkdtempSync(join(tmpdir(), "gitops-preview-"));
let n = 0;
/** A base and a head checkout holding the repository's gitops/; `change` edits the head. */
function checkouts(change: (head: string) => void): { base: string; head: string } {
  const root = join(trees, String(n++));
  const base = join(root, "base");
  const head = join(root, "head");
  for (const dir of [base, head]) {
    mkdirSync(dir, { recursive: true });
    copyGitops(dir);
  }
  change(head);
  return { base, head };
}

(kubectlIo ? describe : describe.skip)("gitops preview on the repository's own gitops/", () => {
  const io = memoized(kubectlIo!);
  const preview = (c: { base: string; head: string }, env: string) => previewEnvironment(io, c.base, c.head, env);

  it("an image tag bump in the staging overlay changes exactly that Deployment's image, in staging only", async () => {
    const c = checkouts((head) => edit(join(head, "gitops/workloads/podinfo/overlays/staging/kustomization.yaml"), "newTag: 6.9.2", "newTag: 6.9.3"));
    const [staging, production] = await Promise.all([preview(c, "staging"), preview(c, "production")]);
    const podinfo = staging.apps.find((a) => a.name === "podinfo");
    expect(podinfo?.objects).toEqual({
      added: [],
      removed: [],
      changed: [{ key: "Deployment/podinfo/podinfo", changes: [{ path: "spec.template.spec.containers[0].image", before: "ghcr.io/stefanprodan/podinfo:6.9.2", after: "ghcr.io/stefanprodan/podinfo:6.9.3" }] }],
    });
    expect(production.apps.every((a) => a.status === "unchanged" && (a.objects?.changed.length ?? 0) === 0)).toBe(true);
    const comment = renderPreviewComment([production, staging]);
    expect(comment).toContain("📝 `staging`: 1 object changed");
    expect(comment).toContain("✅ `production`: no changes");
    expect(comment).not.toContain("### ✅ `production`");
    expect(staging.deletions).toEqual([]);
  });

  it("a replica change in production shows before and after", async () => {
    // Production's base is rendered here for the first time (above, production was unchanged).
    const c = checkouts((head) => edit(join(head, "gitops/workloads/podinfo/overlays/production/deployment-patch.yaml"), "replicas: 3", "replicas: 4"));
    const production = await preview(c, "production");
    expect(production.apps.find((a) => a.name === "podinfo")?.objects?.changed).toEqual([
      { key: "Deployment/podinfo/podinfo", changes: [{ path: "spec.replicas", before: "3", after: "4" }] },
    ]);
  });

  it("a deleted Application file is a loud deletion that lists what it deployed", async () => {
    const c = checkouts((head) => rmSync(join(head, "gitops/apps/staging/podinfo.yaml")));
    const staging = await preview(c, "staging");
    expect(staging.apps.find((a) => a.name === "podinfo")?.status).toBe("removed");
    expect(staging.deletions).toHaveLength(1);
    expect(staging.deletions[0]).toMatch(/^Application podinfo is removed: Argo CD deletes everything it deployed \(\d+ objects: .*Deployment\/podinfo\/podinfo/);
    const comment = renderPreviewComment([staging]);
    expect(comment.indexOf("> **Deletions:**")).toBeLessThan(comment.indexOf("**Application `podinfo`**"));
  });

  it("a new Application, and a Helm chart version bump shown as fields (not rendered without helm)", async () => {
    const c = checkouts((head) => {
      const app = readFileSync(join(head, "gitops/apps/staging/podinfo.yaml"), "utf8").replace("name: podinfo\n  namespace: argocd", "name: podinfo-canary\n  namespace: argocd").replace("namespace: podinfo\n", "namespace: podinfo-canary\n");
      writeFileSync(join(head, "gitops/apps/staging/podinfo-canary.yaml"), app);
      edit(join(head, "gitops/apps/staging/metrics-server.yaml"), "targetRevision: 3.13.0", "targetRevision: 3.13.1");
    });
    const staging = await preview(c, "staging");
    const canary = staging.apps.find((a) => a.name === "podinfo-canary");
    expect(canary?.status).toBe("added");
    // The overlay pins its namespace, so the new Application deploys the same objects: visible here.
    expect(canary?.objects?.added).toEqual(["Deployment/podinfo/podinfo", "Service/podinfo/podinfo"]);
    const metrics = staging.apps.find((a) => a.name === "metrics-server");
    expect(metrics?.fields).toEqual([{ path: "spec.source.targetRevision", before: "3.13.0", after: "3.13.1" }]);
    expect(metrics?.notRendered).toContain("Helm chart metrics-server: the chart is not rendered here (no helm)");
  });

  // One staging change with a Secret, a latest tag and a privileged container: two questions about
  // one pair of renders (each costs a kubectl start and an OpenAPI parse).
  const secret = (value: string) => `apiVersion: v1\nkind: Secret\nmetadata:\n  name: podinfo-token\ntype: Opaque\nstringData:\n  token: ${value}\n`;
  let risky: Promise<Awaited<ReturnType<typeof preview>>> | undefined;
  const riskyStaging = () =>
    (risky ??= preview(
      checkouts((head) => {
        for (const [root, value] of [[head.replace(/head$/, "base"), "OLD-SECRET-VALUE"], [head, "NEW-SECRET-VALUE"]] as const) {
          const overlay = join(root, "gitops/workloads/podinfo/overlays/staging");
          writeFileSync(join(overlay, "secret.yaml"), secret(value));
          edit(join(overlay, "kustomization.yaml"), "  - ../../base\n", "  - ../../base\n  - secret.yaml\n");
        }
        edit(join(head, "gitops/workloads/podinfo/overlays/staging/kustomization.yaml"), "newTag: 6.9.2", "newTag: latest");
        edit(join(head, "gitops/workloads/podinfo/base/deployment.yaml"), "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true");
      }),
      "staging",
    ));

  it("shows a changed Secret by name only: no data, no stringData, not even in the diff", async () => {
    const staging = await riskyStaging();
    const changed = staging.apps.find((a) => a.name === "podinfo")?.objects?.changed ?? [];
    expect(changed.find((c) => c.key === "Secret/podinfo/podinfo-token")).toEqual({ key: "Secret/podinfo/podinfo-token", changes: [{ path: "values", before: "(hidden)", after: "(hidden), changed" }] });
    const everything = JSON.stringify(staging) + renderPreviewComment([staging]);
    expect(everything).not.toMatch(/SECRET-VALUE|stringData|T0xE/);
  });

  it("finds a latest tag and a container that breaks the restricted Pod Security level", async () => {
    const staging = await riskyStaging();
    expect(staging.findings).toEqual(
      expect.arrayContaining([
        { severity: "error", object: "Deployment/podinfo/podinfo", message: "image ghcr.io/stefanprodan/podinfo:latest uses the latest tag" },
        { severity: "error", object: "Deployment/podinfo/podinfo", message: "restricted Pod Security: container podinfo: allowPrivilegeEscalation must be false" },
      ]),
    );
  });

  it("validates the head render against the Kubernetes schemas: a wrong field type is an error finding", async () => {
    const c = checkouts((head) => edit(join(head, "gitops/workloads/podinfo/overlays/production/deployment-patch.yaml"), "replicas: 3", 'replicas: "three"'));
    const production = await preview(c, "production");
    expect(production.findings).toEqual([
      { severity: "error", object: "Deployment/podinfo/podinfo", message: expect.stringMatching(/^schema \(apps\/v1 Deployment\): .*replicas.*integer/) },
    ]);
  });

  it("docs/reviewing-app-changes.md shows the example exactly as the CLI writes it (regenerate: node scripts/render-preview-example.mjs)", async () => {
    const c = checkouts((head) => edit(join(head, "gitops/workloads/podinfo/overlays/staging/kustomization.yaml"), "newTag: 6.9.2", "newTag: 6.9.3"));
    const r = await runCli(["preview", "--base", c.base, "--head", c.head], { previewIo: io });
    expect(r.code).toBe(0);
    const page = readFileSync(join(REPO_ROOT, "docs", "reviewing-app-changes.md"), "utf8");
    const begin = page.indexOf("<!-- BEGIN preview example");
    expect(begin).toBeGreaterThan(0);
    expect(page.slice(begin, page.indexOf("<!-- END preview example -->"))).toContain(r.stdout.trimEnd());
  });

  it("the CLI fails the check on findings, and on an unallowed deletion with --strict", async () => {
    const deleted = checkouts((head) => rmSync(join(head, "gitops/apps/staging/podinfo.yaml")));
    const strict = await runCli(["preview", "--base", deleted.base, "--head", deleted.head, "--env", "staging", "--strict", "--labels", ""], { previewIo: io });
    expect(strict.code).toBe(1);
    expect(strict.stderr).toContain("deletions in staging: they need the allow-destroy label");
    expect(strict.stdout.split("\n")[0]).toBe("<!-- gitops:plan key=gitops-preview -->");
    const allowed = await runCli(["preview", "--base", deleted.base, "--head", deleted.head, "--env", "staging", "--strict", "--labels", "allow-destroy"], { previewIo: io });
    expect(allowed.code).toBe(0);
  });
});

describe("gitops preview without kubectl, and image references", () => {
  it("names what to install", async () => {
    const r = await runCli(["preview", "--base", ".", "--head", "."], { env: { PATH: "/nonexistent" } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('kubectl not found (looked for "kubectl" on PATH): install kubectl, which includes kustomize');
  });

  it.each([
    ["ghcr.io/stefanprodan/podinfo:6.9.2", undefined],
    ["registry:5000/team/app@sha256:" + "a".repeat(64), undefined],
    ["registry:5000/team/app", "image registry:5000/team/app has no tag or digest"],
    ["nginx:latest", "image nginx:latest uses the latest tag"],
  ])("%s", (image, problem) => {
    expect(imageProblem(image)).toBe(problem);
  });
});

describe("schema findings, one kind's model loaded at a time", () => {
  const object = (apiVersion: string, kind: string, spec: unknown) => ({ apiVersion, kind, metadata: { name: "x", namespace: "apps" }, spec });

  it.each([
    ["a Deployment with a string for replicas", object("apps/v1", "Deployment", { replicas: "three", selector: {}, template: {} }), /^schema \(apps\/v1 Deployment\): .*replicas.*integer/],
    ["an Argo CD Application without a destination", object("argoproj.io/v1alpha1", "Application", { project: "default", source: { repoURL: "https://example.com/r.git" } }), /^schema \(argoproj.io\/v1alpha1 Application\): .*destination/],
    ["a valid Service", object("v1", "Service", { ports: [{ port: 80 }] }), undefined],
    ["a kind the group has no model for", object("v1", "Widget", {}), undefined],
    ["a kind that is a path", object("v1", "../apps/v1/Deployment", { replicas: "three" }), undefined],
    ["a group without schemas here (another CRD)", object("example.com/v1", "Widget", { anything: 1 }), undefined],
  ])("%s", (_what, obj, expected) => {
    const finding = schemaFinding(obj, "key");
    if (expected === undefined) expect(finding).toBeUndefined();
    else expect(finding?.message).toMatch(expected);
  });
});

describe("the preview comment's size", () => {
  it("stays within the limit, keeping every environment's summary line and its deletions", () => {
    const many = Array.from({ length: 400 }, (_, i) => ({ key: `ConfigMap/apps/config-${i}`, changes: [{ path: "data.settings", before: "a".repeat(100), after: "b".repeat(100) }] }));
    const env = (name: string, deletions: string[]) => ({
      env: name,
      apps: [{ name: "podinfo", kind: "Application" as const, status: "changed" as const, fields: [], objects: { added: [], removed: [], changed: many } }],
      deletions,
      findings: [],
    });
    const previews = [env("production", ["Application old-app is removed: Argo CD deletes everything it deployed"]), env("staging", [])];
    const full = renderPreviewComment(previews);
    const limited = renderPreviewComment(previews, 20_000);
    expect(full.length).toBeGreaterThan(20_000);
    expect(limited.length).toBeLessThanOrEqual(20_000);
    for (const line of ["⚠️ `production`: 1 changed, 400 objects changed, 1 deletion", "📝 `staging`: 1 changed, 400 objects changed", "Application old-app is removed"]) {
      expect(limited).toContain(line);
    }
  });
});
