// Which files a kustomize render can read, so an unchanged Application is not rendered: real trees
// (copies of this repository's gitops/), the real filesystem, and a counting stand-in for kubectl.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { processPreviewIo } from "../../automation/preview/process-io";
import { type PreviewIo, previewEnvironment } from "../../automation/preview/preview";
import { renderInputsDigest } from "../../automation/preview/render-inputs";
import { copyGitops, edit, REPO_GITOPS } from "./support/gitops-trees";

const STAGING = "gitops/workloads/podinfo/overlays/staging";
const PRODUCTION = "gitops/workloads/podinfo/overlays/production";

/** The filesystem part of the real PreviewIo; kustomize is replaced per test. */
const fsIo: PreviewIo = { ...processPreviewIo({ ...process.env, GITOPS_KUBECTL: process.execPath }), kustomize: () => Promise.reject(new Error("not rendered here")) };

const checkout = () => copyGitops(mkdtempSync(join(tmpdir(), "render-inputs-")));

describe("the inputs of a kustomize render", () => {
  it("are equal in two identical checkouts, and differ after a change in the overlay or in the base it uses", async () => {
    const [a, b] = [checkout(), checkout()];
    const digest = (root: string, path: string) => renderInputsDigest(fsIo, root, path);
    expect(await digest(a, STAGING)).toBeDefined();
    expect(await digest(a, STAGING)).toBe(await digest(b, STAGING));

    edit(join(b, STAGING, "kustomization.yaml"), "newTag: 6.9.2", "newTag: 6.9.3");
    expect(await digest(b, STAGING)).not.toBe(await digest(a, STAGING));
    // Production does not read the staging overlay.
    expect(await digest(b, PRODUCTION)).toBe(await digest(a, PRODUCTION));

    edit(join(b, "gitops/workloads/podinfo/base/deployment.yaml"), "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true");
    expect(await digest(b, PRODUCTION)).not.toBe(await digest(a, PRODUCTION));
  });

  it("follow transformer, generator and validator directories, which can sit outside the Application's path", async () => {
    const [a, b] = [checkout(), checkout()];
    for (const root of [a, b]) {
      const common = join(root, "gitops/workloads/common-labels");
      mkdirSync(common);
      writeFileSync(join(common, "kustomization.yaml"), "resources:\n  - labels.yaml\n");
      writeFileSync(join(common, "labels.yaml"), "apiVersion: builtin\nkind: LabelTransformer\nmetadata: {name: team}\nlabels: {team: one}\nfieldSpecs: [{path: metadata/labels, create: true}]\n");
      edit(join(root, STAGING, "kustomization.yaml"), "patches:\n", "transformers:\n  - ../../../common-labels\npatches:\n");
    }
    expect(await renderInputsDigest(fsIo, b, STAGING)).toBe(await renderInputsDigest(fsIo, a, STAGING));
    edit(join(b, "gitops/workloads/common-labels/labels.yaml"), "team: one", "team: two");
    expect(await renderInputsDigest(fsIo, b, STAGING)).not.toBe(await renderInputsDigest(fsIo, a, STAGING));
  });

  it("hash files as bytes: two binary files that decode to the same text still differ", async () => {
    const [a, b] = [checkout(), checkout()];
    writeFileSync(join(a, STAGING, "blob.bin"), Buffer.from([0xff, 0xfe]));
    writeFileSync(join(b, STAGING, "blob.bin"), Buffer.from([0xfe, 0xff]));
    expect(readFileSync(join(a, STAGING, "blob.bin"), "utf8")).toBe(readFileSync(join(b, STAGING, "blob.bin"), "utf8"));
    expect(await renderInputsDigest(fsIo, b, STAGING)).not.toBe(await renderInputsDigest(fsIo, a, STAGING));
  });

  it.each([
    ["an inline transformer configuration", (k: string) => edit(k, "patches:\n", "transformers:\n  - |\n    apiVersion: builtin\n    kind: LabelTransformer\n    metadata: {name: t}\n    labels: {a: b}\npatches:\n")],
    ["a remote resource", (k: string) => edit(k, "  - ../../base\n", "  - ../../base\n  - https://github.com/example/other//deploy?ref=v1\n")],
    ["a path that does not exist", (k: string) => edit(k, "  - ../../base\n", "  - ../../nowhere\n")],
    ["a directory outside the checkout", (k: string) => edit(k, "  - ../../base\n", `  - ../../base\n  - ${tmpdir()}\n`)],
  ])("are unknown with %s, so both sides are rendered", async (_what, change) => {
    const root = checkout();
    change(join(root, STAGING, "kustomization.yaml"));
    expect(await renderInputsDigest(fsIo, root, STAGING)).toBeUndefined();
  });

  it("are unknown when the tree holds a symbolic link (its target could be anywhere)", async () => {
    const root = checkout();
    const outside = mkdtempSync(join(tmpdir(), "outside-"));
    writeFileSync(join(outside, "patch.yaml"), "kind: Deployment\n");
    symlinkSync(join(outside, "patch.yaml"), join(root, STAGING, "linked-patch.yaml"));
    expect(await renderInputsDigest(fsIo, root, STAGING)).toBeUndefined();
  });
});

describe("previewEnvironment", () => {
  const deployment = (tag: string) => `apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: podinfo, namespace: podinfo}\nspec:\n  template:\n    spec:\n      containers: [{name: podinfo, image: "ghcr.io/stefanprodan/podinfo:${tag}"}]\n`;
  /** kustomize stand-in: a Deployment with the overlay's image tag; `rendered` lists the directories. */
  const countingIo = (rendered: string[]): PreviewIo => ({
    ...fsIo,
    kustomize: async (dir) => {
      rendered.push(dir);
      return deployment(readFileSync(join(dir, "kustomization.yaml"), "utf8").match(/newTag: (\S+)/)?.[1] ?? "none");
    },
  });

  it("does not render an unchanged Application with unchanged inputs, renders a changed one with unchanged inputs once, and changed inputs twice", async () => {
    const [base, head] = [checkout(), checkout()];
    edit(join(head, STAGING, "kustomization.yaml"), "newTag: 6.9.2", "newTag: 6.9.3");
    const rendered: string[] = [];
    const io = countingIo(rendered);

    const production = await previewEnvironment(io, base, head, "production");
    expect(rendered).toEqual([]);
    expect(production.apps.find((a) => a.name === "podinfo")).toMatchObject({ status: "unchanged", objects: { added: [], removed: [], changed: [] } });

    // The Application itself changes, what it renders does not: rendered once, for the head's findings.
    edit(join(head, "gitops/apps/production/podinfo.yaml"), "limit: 5", "limit: 6");
    const relabelled = await previewEnvironment(io, base, head, "production");
    expect(rendered).toEqual([join(head, PRODUCTION)]);
    expect(relabelled.apps.find((a) => a.name === "podinfo")).toMatchObject({ status: "changed", objects: { added: [], removed: [], changed: [] } });

    rendered.length = 0;
    const staging = await previewEnvironment(io, base, head, "staging");
    expect(rendered.sort()).toEqual([join(base, STAGING), join(head, STAGING)].sort());
    expect(staging.apps.find((a) => a.name === "podinfo")?.objects?.changed[0]?.key).toBe("Deployment/podinfo/podinfo");
  });

  it("reports findings only for what the pull request changes: an unchanged Application's old problem stays out", async () => {
    const [base, head] = [checkout(), checkout()];
    for (const root of [base, head]) edit(join(root, STAGING, "kustomization.yaml"), "newTag: 6.9.2", "newTag: latest");
    const rendered: string[] = [];
    const unrelated = await previewEnvironment(countingIo(rendered), base, head, "staging");
    expect(rendered).toEqual([]);
    expect(unrelated.findings).toEqual([]);

    // Once the pull request touches the overlay, the head render is checked and the tag is found (with
    // the stand-in's other gaps: it is a bare Deployment).
    edit(join(head, STAGING, "deployment-patch.yaml"), "replicas: 2", "replicas: 3");
    const touched = await previewEnvironment(countingIo(rendered), base, head, "staging");
    expect(touched.findings).toContainEqual({ severity: "error", object: "Deployment/podinfo/podinfo", message: "image ghcr.io/stefanprodan/podinfo:latest uses the latest tag" });
  });
});

// The fixture trees must stay real kustomizations for these tests to mean anything.
it("the repository's overlays are kustomizations that use ../../base", () => {
  for (const overlay of [STAGING, PRODUCTION]) expect(readFileSync(join(REPO_GITOPS, "..", overlay, "kustomization.yaml"), "utf8")).toContain("  - ../../base\n");
});
