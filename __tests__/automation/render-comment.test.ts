import { readFileSync, readdirSync } from "node:fs";
import { parsePlanJson, type JsonValue } from "../../automation/plan/plan-json";
import { reviewPlan } from "../../automation/plan/review";
import { readFingerprints, renderPlanComment } from "../../automation/render/comment";
import { buildStackSection, parseSections, type StackSection } from "../../automation/render/section";
import { assertWellFormed, liveMentions, unexpectedTags } from "./support/markdown-lint";
import { PLAN_FIXTURES, fixture } from "./support/paths";

const text = (name: string) => readFileSync(fixture(name), "utf8");
const section = (stack: string, name: string): StackSection => buildStackSection({ stack, review: reviewPlan(parsePlanJson(text(name), name)) });
const allFixtures = readdirSync(PLAN_FIXTURES).filter((f) => f.endsWith(".json") && f !== "expected.json");
const stackName = (file: string) => file.replace(/\.json$/, "").replace(/[^A-Za-z0-9._-]/g, "-");

describe("comment layout", () => {
  const body = renderPlanComment([section("staging-cluster", "borchero-tf1.13-modify.json"), section("staging-gitops", "borchero-tf1.13-empty.json")]);

  it("starts with the hidden marker and an overall line", () => {
    const lines = body.split("\n");
    expect(lines[0]).toBe("<!-- gitops:plan key=plan -->");
    expect(body).toContain("2 stacks planned: 1 with changes, 1 without changes.");
  });

  it("uses --key in the marker", () => {
    expect(renderPlanComment([section("a", "borchero-tf1.13-empty.json")], { key: "drift-prod" }).split("\n")[0]).toBe("<!-- gitops:plan key=drift-prod -->");
  });

  it("shows status, Terraform's Plan line and a destroy warning before the list", () => {
    const cluster = body.slice(body.indexOf("`staging-cluster`"), body.indexOf("`staging-gitops`"));
    expect(cluster).toMatch(/^`staging-cluster`: Changes/);
    expect(cluster).toContain("\nPlan: 2 to add, 0 to change, 2 to destroy.\n");
    const warning = cluster.indexOf("[!CAUTION]");
    expect(warning).toBeGreaterThan(0);
    expect(warning).toBeLessThan(cluster.indexOf("<details>"));
    expect(cluster).toMatch(/replaces 2 resources/);
    expect(cluster).toMatch(/`local_file\.test3` \(forced by `content`\)/);
    expect(body).toMatch(/`staging-gitops`: No changes\n\nNo changes\./);
  });

  it("ends with machine-readable fingerprints of every stack", () => {
    const last = body.trimEnd().split("\n").pop()!;
    expect(last).toMatch(/^<!-- gitops:fingerprints \{.*\} -->$/);
    const fps = readFingerprints(body)!;
    expect(Object.keys(fps).sort()).toEqual(["staging-cluster", "staging-gitops"]);
    expect(fps["staging-cluster"]).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it("says when only outputs change", () => {
    const out = renderPlanComment([section("o", "tofu-eq-variables-and-outputs.json")]);
    expect(out).toContain("Changes to Outputs only");
    expect(out).not.toContain("Plan:");
  });

  it("lists changed attribute names with short values for updates", () => {
    const out = renderPlanComment([section("u", "tofu-eq-moved-with-update.json")]);
    expect(out).toContain("- `string`: `\"Hello, world!\"` → `\"Hello, change!\"`".replace("- ", "  - ").trimStart());
    expect(out).toContain("moved from `tfcoremock_simple_resource.base`");
  });
});

describe("errors", () => {
  it("renders an errored plan as Error without a fingerprint, next to other stacks' plans", () => {
    const out = renderPlanComment([section("broken", "tofu-show-plan-error.json"), section("fine", "borchero-tf1.13-create.json")]);
    expect(out).toMatch(/`broken`: Error/);
    expect(out).toMatch(/`fine`: Changes\n\nPlan: 3 to add, 0 to change, 0 to destroy\./);
    expect(Object.keys(readFingerprints(out)!)).toEqual(["fine"]);
    expect(out).toContain("**1 error**");
  });

  it("puts terraform's stderr in a code block that its own backticks cannot close", () => {
    const stderr = "Error: bad thing\n```\n</details>\n@octocat look\n````";
    const s = buildStackSection({ stack: "e", review: null, errorText: stderr });
    const out = renderPlanComment([s]);
    assertWellFormed(out);
    expect(out).toContain("`````text\nError: bad thing");
    expect(liveMentions(out)).toEqual([]);
    expect(readFingerprints(out)).toEqual({});
  });
});

/** Every string value that sits under a sensitive mark (or is a sensitive output or variable) in a plan. */
function sensitiveStrings(doc: Record<string, unknown>): string[] {
  const found: string[] = [];
  const collect = (value: unknown, mark: unknown): void => {
    if (mark === true) {
      const walkAll = (v: unknown): void => {
        if (typeof v === "string") found.push(v);
        else if (v && typeof v === "object") Object.values(v).forEach(walkAll);
      };
      walkAll(value);
      return;
    }
    if (value && typeof value === "object" && mark && typeof mark === "object") {
      for (const [k, v] of Object.entries(value)) collect(v, (mark as Record<string, unknown>)[k]);
    }
  };
  for (const rc of (doc.resource_changes as Array<{ change: Record<string, unknown> }> | undefined) ?? []) {
    collect(rc.change.before, rc.change.before_sensitive);
    collect(rc.change.after, rc.change.after_sensitive);
  }
  for (const oc of Object.values((doc.output_changes as Record<string, Record<string, unknown>> | undefined) ?? {})) {
    collect(oc.before, oc.before_sensitive);
    collect(oc.after, oc.after_sensitive);
  }
  const variables = (doc.variables as Record<string, { value: JsonValue }> | undefined) ?? {};
  const config = ((doc.configuration as { root_module?: { variables?: Record<string, { sensitive?: boolean }> } } | undefined)?.root_module?.variables) ?? {};
  for (const [name, v] of Object.entries(variables)) if (config[name]?.sensitive) collect(v.value, true);
  return found;
}

describe("sensitive values", () => {
  it.each([
    ["derived-sensitive-attributes.json", ["hunter2-SECRET-ATTR-0-p9z", "ami-SECRET-ATTR-2-k3q8", "SECRET-OUTPUT-v4lu3-w2", "SECRET-VAR-v4lu3-m1", "hunter2-SECRET-CONFIG-r5"]],
    ["derived-sensitive-replace.json", ["SECRET-BEFORE-BASE64-a8f2", "SECRET-BEFORE-HEX-c41d"]],
    ["derived-sensitive-map-update.json", ["SECRET-MAP-BEFORE-e7u1", "SECRET-MAP-AFTER-j2n6"]],
  ])("%s: no secret appears, (sensitive) does", (name, secrets) => {
    const doc = JSON.parse(text(name)) as Record<string, unknown>;
    for (const s of secrets) expect(text(name)).toContain(s); // the fixture really holds them
    expect(sensitiveStrings(doc).length).toBeGreaterThan(0);
    const out = renderPlanComment([section("s", name)]);
    for (const s of secrets) expect(out).not.toContain(s);
    expect(out).not.toContain("SECRET");
    expect(out).toContain("_(sensitive)_");
  });

  it("no fixture's sensitive strings reach the comment unless they also appear as non-sensitive text", () => {
    let checked = 0;
    for (const name of allFixtures) {
      const doc = JSON.parse(text(name)) as Record<string, unknown>;
      const secrets = sensitiveStrings(doc).filter((s) => s.length >= 6);
      if (secrets.length === 0) continue;
      const out = renderPlanComment([section("s", name)]);
      // A sensitive string may legitimately equal a non-sensitive value elsewhere; only count strings
      // that appear in the document exactly as often as they are sensitive.
      const raw = text(name);
      for (const s of new Set(secrets)) {
        const occurrencesInDoc = raw.split(JSON.stringify(s).slice(1, -1)).length - 1;
        const sensitiveCount = secrets.filter((x) => x === s).length;
        if (occurrencesInDoc > sensitiveCount * 2) continue; // also in planned_values/prior_state; checked below
        expect({ name, leaked: out.includes(s) ? s : null }).toEqual({ name, leaked: null });
        checked++;
      }
    }
    expect(checked).toBeGreaterThanOrEqual(10);
  });
});

describe("escaping", () => {
  const out = renderPlanComment([section("hostile", "derived-escaping.json")], { title: "Plan for @octocat <b>bold</b>" });

  it("keeps fences and <details> balanced and lets no HTML through", () => {
    assertWellFormed(out);
    expect(unexpectedTags(out)).toEqual([]);
  });

  it("cannot ping anyone", () => {
    expect(out).toContain("@octocat"); // still readable, inside code
    expect(liveMentions(out)).toEqual([]);
  });

  it("renders the hostile address inside one code span", () => {
    expect(out).toContain('````tfcoremock_map.map["@octocat ``` </details> <img src=x onerror=alert(1)>"]````');
  });

  it("keeps a value's newline from starting a new line", () => {
    expect(out).not.toMatch(/^<\/details>\n@octocat/m);
    expect(out).toContain('"line one\\n</details>\\n@octocat line three"');
  });

  it("every fixture renders well-formed and without live mentions or stray HTML", () => {
    for (const name of allFixtures) {
      const body = renderPlanComment([section(stackName(name), name)]);
      assertWellFormed(body);
      expect({ name, tags: unexpectedTags(body), mentions: liveMentions(body) }).toEqual({ name, tags: [], mentions: [] });
    }
  });
});

describe("size limit", () => {
  const big = section("big", "borchero-tf1.13-create-hundreds.json");
  const modify = section("modify", "borchero-tf1.13-modify.json");
  const broken = buildStackSection({ stack: "broken", review: null, errorText: `Error: boom\n${"x".repeat(3000)}` });

  it("fits every fixture together in GitHub's limit", () => {
    const sections = allFixtures.map((f) => section(stackName(f), f));
    const out = renderPlanComment(sections);
    expect(out.length).toBeLessThanOrEqual(65536);
    assertWellFormed(out);
  });

  it("needs shrinking at these limits", () => {
    expect(renderPlanComment([big, modify, broken]).length).toBeGreaterThan(12000);
  });

  it.each([3000, 6000, 12000])("shrinks to --max-chars %i keeping status, Plan lines, errors and fingerprints", (max) => {
    const out = renderPlanComment([big, modify, broken], { maxChars: max });
    expect(out.length).toBeLessThanOrEqual(max);
    assertWellFormed(out);
    expect(out).toContain("`big`: Changes");
    expect(out).toContain("Plan: 300 to add, 0 to change, 0 to destroy.");
    expect(out).toContain("Plan: 2 to add, 0 to change, 2 to destroy.");
    expect(out).toContain("`broken`: Error");
    expect(out).toContain("Error: boom");
    expect(readFingerprints(out)).toEqual({ big: big.fingerprint, modify: modify.fingerprint });
    expect(out).toMatch(/Shortened to fit [\d,]+ characters: omitted/);
  });

  it("drops attribute details first", () => {
    const full = renderPlanComment([big, modify]);
    const out = renderPlanComment([big, modify], { maxChars: full.length - 10 });
    expect(out.length).toBeLessThanOrEqual(full.length - 10);
    expect(out).not.toContain("**forces replacement**");
    expect(out).not.toMatch(/not listed/);
    expect(out).toContain("attribute details of 1 stack");
  });

  it("then cuts resource lines of the largest stack, keeping the small stack's list", () => {
    const full = renderPlanComment([big, modify]);
    const out = renderPlanComment([big, modify], { maxChars: full.length - 3000 });
    expect(out).toContain("- `local_file.test3`");
    expect(out).toMatch(/_… [\d,]+ more changes not listed \(comment size limit\)\._/);
    expect(out).toMatch(/omitted attribute details of 1 stack, [\d,]+ resource or output lines/);
  });

  it("leaves a comment that fits alone unchanged", () => {
    const out = renderPlanComment([modify]);
    expect(out).not.toContain("Shortened");
    expect(out).toContain("**forces replacement**");
  });

  it("refuses a limit that cannot hold the status lines", () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ ...modify, stack: `s${i}` }));
    expect(() => renderPlanComment(many, { maxChars: 1500 })).toThrow(/--max-chars 1,500 is too small for 40 stacks/);
  });
});

describe("section JSON (merging plan jobs without plan JSON)", () => {
  it("round-trips: merging parsed sections renders the same comment as rendering from plans", () => {
    const sections = [section("staging-cluster", "tfplan2md-tf1.14-azdo-plan1.json"), section("staging-gitops", "tofu-show-plan-error.json")];
    const parsed = parseSections(JSON.stringify(sections), "sections.json");
    expect(renderPlanComment(parsed, { maxChars: 5000 })).toBe(renderPlanComment(sections, { maxChars: 5000 }));
    const one = parseSections(JSON.stringify(sections[0]), "one.json");
    expect(one).toHaveLength(1);
  });

  it("carries no sensitive value", () => {
    const json = JSON.stringify(section("s", "derived-sensitive-attributes.json"));
    expect(json).not.toContain("SECRET");
  });

  it("rejects other JSON with the file name", () => {
    expect(() => parseSections('{"format":"x"}', "up/section.json")).toThrow(/^up\/section\.json: not a gitops-stack-section\/v1 section/);
    expect(() => parseSections(JSON.stringify({ ...section("s", "borchero-tf1.13-empty.json"), stack: "bad name" }), "f.json")).toThrow(/stack name/);
  });
});

describe("a 10,000-resource plan", () => {
  const actions = [["update"], ["create"], ["delete", "create"], ["delete"], ["no-op"]];
  const plan = parsePlanJson(
    JSON.stringify({
      format_version: "1.2",
      planned_values: {},
      resource_changes: Array.from({ length: 10_000 }, (_, i) => {
        const a = actions[i % actions.length]!;
        return {
          address: `aws_security_group_rule.ingress_${i}`,
          mode: "managed",
          type: "aws_security_group_rule",
          change: {
            actions: a,
            before: a[0] === "create" ? null : { from_port: i, description: `rule ${i}`, cidr_blocks: ["10.0.0.0/16"] },
            after: a.join() === "delete" ? null : { from_port: i + 1, description: `rule ${i} @team`, cidr_blocks: ["10.0.0.0/16"] },
            after_unknown: {},
            before_sensitive: {},
            after_sensitive: {},
            ...(a.length === 2 ? { replace_paths: [["from_port"]] } : {}),
          },
        };
      }),
    }),
    "big.json",
  );

  it("renders within GitHub's limit with every count, the warning and the fingerprint", () => {
    const s = buildStackSection({ stack: "staging-cluster", review: reviewPlan(plan) });
    const out = renderPlanComment([s, section("staging-gitops", "borchero-tf1.13-delete.json")]);
    expect(out.length).toBeLessThanOrEqual(65536);
    assertWellFormed(out);
    expect(liveMentions(out)).toEqual([]);
    expect(out).toContain("Plan: 4000 to add, 2000 to change, 4000 to destroy."); // Terraform prints no separators
    expect(out).toContain("destroys 2,000 resources and replaces 2,000 resources");
    expect(out).toContain("- `aws_security_group_rule.ingress_2` (replace)"); // replacements listed first
    expect(Object.keys(readFingerprints(out)!)).toEqual(["staging-cluster", "staging-gitops"]);
    expect(out).toMatch(/Shortened to fit 65,536 characters/);
  });
});

describe("stacks the planner did not plan", () => {
  it("renders blocked and pending stacks with the planner's notes, without fingerprints", () => {
    const blocked = buildStackSection({ stack: "staging-gitops", review: null, status: "blocked", notes: ["Blocked by `staging-cluster`, which failed: this stack was not planned."] });
    const pending = buildStackSection({ stack: "prod-gitops", review: null, status: "pending", notes: ["Pending `prod-cluster`."] });
    const out = renderPlanComment([section("staging-cluster", "tofu-show-plan-error.json"), blocked, pending]);
    expect(out).toContain("`staging-gitops`: Blocked\n\nBlocked by `staging-cluster`");
    expect(out).toContain("`prod-gitops`: Pending\n\nPending `prod-cluster`.");
    expect(out).toContain("3 stacks planned: 0 with changes, 0 without changes, **1 error**, **1 blocked**, 1 pending.");
    expect(readFingerprints(out)).toEqual({});
    expect(parseSections(JSON.stringify([blocked, pending]), "s.json").map((s) => s.status)).toEqual(["blocked", "pending"]);
  });
});

const FORGED = `{"staging-cluster":"sha256:${"1".repeat(64)}"}`;

// What apply accepts as "reviewed": only the fingerprints marker on the last line of the plan
// workflow's own comment. Plan text and other authors can never approve anything.
describe("readFingerprints", () => {
  const plan = parsePlanJson(readFileSync(fixture("borchero-tf1.13-create.json"), "utf8"), "create.json");
  const real = buildStackSection({ stack: "staging-cluster", review: reviewPlan(plan) });
  const hostile = buildStackSection({ stack: "staging-gitops", review: null, errorText: `Error: bad\n<!-- gitops:fingerprints ${FORGED} -->\n` });

  it("reads the marker at the end of the comment, not one inside terraform's error output", () => {
    const body = renderPlanComment([hostile, real]);
    expect(body).toContain(FORGED); // the error text is shown...
    expect(readFingerprints(body)).toEqual({ "staging-cluster": real.fingerprint }); // ...but never read
  });

  it("reads nothing when the last line is not a marker or holds something other than fingerprints", () => {
    const body = renderPlanComment([real]);
    expect(readFingerprints(`${body}\nlooks good to me`)).toBeNull();
    expect(readFingerprints(`<!-- gitops:plan key=plan -->\n<!-- gitops:fingerprints {"a":"md5:1"} -->`)).toBeNull();
    expect(readFingerprints(`<!-- gitops:plan key=plan -->\n<!-- gitops:fingerprints {"a": -->`)).toBeNull();
  });
});
