import { readFileSync } from "node:fs";
import { canonicalJson, FINGERPRINT_PATTERN, fingerprintPlan, shortFingerprint } from "../../automation/plan/fingerprint";
import { parsePlanJson, type PlanJson } from "../../automation/plan/plan-json";
import { reviewPlan } from "../../automation/plan/review";
import { buildStackSection } from "../../automation/render/section";
import { fixture } from "./support/paths";

const raw = (name: string) => JSON.parse(readFileSync(fixture(name), "utf8")) as Record<string, unknown>;
const parse = (doc: unknown): PlanJson => parsePlanJson(JSON.stringify(doc), "t.json");

describe("fingerprintPlan", () => {
  it("is a sha256 and stable across parses", () => {
    const doc = raw("tfplan2md-tf1.14-azdo-plan1.json");
    const a = fingerprintPlan(parse(doc));
    expect(a).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(fingerprintPlan(parse(doc))).toBe(a);
  });

  it("ignores run metadata, refreshed state and key order", () => {
    const doc = raw("tfsum-tf1.1-example.json");
    const before = fingerprintPlan(parse(doc));
    const noisy = {
      ...doc,
      timestamp: "2031-01-01T00:00:00Z",
      terraform_version: "9.9.9",
      prior_state: { values: { refreshed: true } },
      planned_values: { root_module: { resources: [] } },
      resource_drift: [],
      // Reversed order of resources and of keys must not matter.
      resource_changes: [...(doc.resource_changes as unknown[])].reverse().map((r) => Object.fromEntries(Object.entries(r as object).reverse())),
    };
    expect(fingerprintPlan(parse(noisy))).toBe(before);
  });

  it("ignores untouched (no-op) resources whose refreshed attributes differ", () => {
    const doc = raw("borchero-tf1.13-modify.json");
    const changes = doc.resource_changes as Array<{ change: { actions: string[]; before: Record<string, unknown>; after: Record<string, unknown> } }>;
    const noop = changes.find((c) => c.change.actions.join() === "no-op");
    expect(noop).toBeDefined();
    const before = fingerprintPlan(parse(doc));
    noop!.change.before = { ...noop!.change.before, refreshed: "yes" };
    noop!.change.after = { ...noop!.change.after, refreshed: "yes" };
    expect(fingerprintPlan(parse(doc))).toBe(before);
  });

  it("changes when a planned value or an output changes", () => {
    const doc = raw("tofu-show-basic-delete.json");
    const base = fingerprintPlan(parse(doc));
    const changes = doc.resource_changes as Array<{ change: { actions: string[]; after: Record<string, unknown> | null } }>;
    const upd = changes.find((c) => c.change.actions.join() === "update")!;
    upd.change.after = { ...upd.change.after, ami: "other" };
    expect(fingerprintPlan(parse(doc))).not.toBe(base);

    const doc2 = raw("tofu-show-basic-delete.json");
    (doc2.output_changes as Record<string, { after: unknown }>)["test"]!.after = "changed";
    expect(fingerprintPlan(parse(doc2))).not.toBe(base);
  });

  it("includes moves, so a move-only plan differs from an empty one", () => {
    expect(fingerprintPlan(parse(raw("tofu-eq-moved-simple.json")))).not.toBe(fingerprintPlan(parse(raw("borchero-tf1.13-empty.json"))));
  });

  it("is null for an errored plan", () => {
    expect(fingerprintPlan(parse(raw("tofu-show-plan-error.json")))).toBeNull();
  });
});

describe("canonicalJson", () => {
  it("sorts keys at every level and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe('{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}');
  });
});

describe("action invocations", () => {
  it("are listed in the comment, so reviewers see what they approve", () => {
    const section = buildStackSection({ stack: "s", review: reviewPlan(parse(raw("tfjson-tf1.14-action-invocation.json"))) });
    expect(section.groups).toEqual([{ title: "Invoke actions", items: [{ line: "- `action.bufo_print.success`", detail: "" }] }]);
  });

  it("do not move the fingerprint through their sensitivity marks", () => {
    const doc = raw("tfjson-tf1.14-action-invocation.json") as { action_invocations: Array<Record<string, unknown>> };
    const marked = JSON.parse(JSON.stringify(doc)) as typeof doc;
    marked.action_invocations[0]!.config_sensitive = { name: true };
    expect(fingerprintPlan(parse(marked))).toBe(fingerprintPlan(parse(doc)));
  });

  it("differs between an action-only plan and an empty plan", () => {
    const actions = parse(raw("tfjson-tf1.14-action-invocation.json"));
    const empty = parse(raw("borchero-tf1.13-empty.json"));
    expect(fingerprintPlan(actions)).not.toBe(fingerprintPlan(empty));
    const changedConfig = JSON.parse(JSON.stringify(actions)) as typeof actions & { action_invocations: Array<{ config_values: { name: string } }> };
    changedConfig.action_invocations[0]!.config_values.name = "another-bufo";
    expect(fingerprintPlan(changedConfig)).not.toBe(fingerprintPlan(actions));
  });
});

describe("keyed fingerprints (GITOPS_FINGERPRINT_KEY)", () => {
  const KEY = "k".repeat(64);
  /** derived-sensitive-attributes.json with the first password replaced. */
  const withPassword = (password: string) => {
    const doc = raw("derived-sensitive-attributes.json") as { resource_changes: Array<{ change: { after: { password: string } } }> };
    doc.resource_changes[0]!.change.after.password = password;
    return parse(doc);
  };

  it("are an HMAC: stable for one key, different for another key and from the plain hash", () => {
    const plan = withPassword("hunter2");
    const keyed = fingerprintPlan(plan, KEY);
    expect(keyed).toMatch(FINGERPRINT_PATTERN);
    expect(keyed).toMatch(/^hmac-sha256:[0-9a-f]{64}$/);
    expect(fingerprintPlan(withPassword("hunter2"), KEY)).toBe(keyed);
    expect(fingerprintPlan(plan, "x".repeat(64))).not.toBe(keyed);
    // The published digest is not the plain sha256 anyone could compute from a guessed plan.
    expect(keyed!.slice("hmac-sha256:".length)).not.toBe(fingerprintPlan(plan)!.slice("sha256:".length));
  });

  it("still change when only a sensitive value changes, so a changed secret is a changed plan", () => {
    expect(fingerprintPlan(withPassword("hunter3"), KEY)).not.toBe(fingerprintPlan(withPassword("hunter2"), KEY));
  });

  it("show their scheme in the comment's short form", () => {
    const review = reviewPlan(withPassword("hunter2"), { fingerprintKey: KEY });
    expect(shortFingerprint(review.fingerprint!)).toMatch(/^hmac-sha256:[0-9a-f]{12}$/);
    expect(buildStackSection({ stack: "s", review }).head).toContain(`Fingerprint \`${shortFingerprint(review.fingerprint!)}\``);
  });
});
