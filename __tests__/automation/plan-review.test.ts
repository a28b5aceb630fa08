import { readFileSync } from "node:fs";
import { parsePlanJson, type JsonValue } from "../../automation/plan/plan-json";
import { SENSITIVE, UNKNOWN, reviewPlan, type AttributeChange } from "../../automation/plan/review";
import { fixture } from "./support/paths";

// A value sensitive on only one side must be hidden on both, as Terraform does: the side without the
// mark still holds the secret's old (or new) value. Each case edits the one resource change of the
// real fixture tofu-eq-basic-map-update.json in memory.
interface ChangeEdit {
  readonly before: Record<string, JsonValue>;
  readonly after: Record<string, JsonValue>;
  readonly before_sensitive: Record<string, JsonValue>;
  readonly after_sensitive: Record<string, JsonValue>;
  after_unknown?: Record<string, JsonValue>;
}

function attributesAfterEdit(edit: (change: ChangeEdit) => void): AttributeChange[] {
  const doc = JSON.parse(readFileSync(fixture("tofu-eq-basic-map-update.json"), "utf8")) as { resource_changes: Array<{ change: ChangeEdit }> };
  const change = doc.resource_changes[0]!.change;
  edit(change);
  const review = reviewPlan(parsePlanJson(JSON.stringify(doc), "edited tofu-eq-basic-map-update.json"));
  expect(review.resources).toHaveLength(1);
  return [...review.resources[0]!.attributes];
}

const attribute = (attributes: AttributeChange[], path: string): AttributeChange | undefined => attributes.find((a) => a.path === path);

describe("reviewPlan hides a value on both sides when either side marks it sensitive", () => {
  it("a scalar that becomes an object with a sensitive member", () => {
    const attrs = attributesAfterEdit((c) => {
      c.before.token = "PLAIN-BEFORE-q7x";
      c.after.token = { value: "SECRET-AFTER-q7x" };
      c.after_sensitive.token = { value: true };
    });
    expect(attribute(attrs, "token")).toEqual({ path: "token", before: SENSITIVE, after: SENSITIVE, forcesReplacement: false });
    expect(JSON.stringify(attrs)).not.toContain("q7x");
  });

  it("an object with a sensitive member that becomes a scalar", () => {
    const attrs = attributesAfterEdit((c) => {
      c.before.token = { value: "SECRET-BEFORE-r2m" };
      c.before_sensitive.token = { value: true };
      c.after.token = "PLAIN-AFTER-r2m";
    });
    expect(attribute(attrs, "token")).toEqual({ path: "token", before: SENSITIVE, after: SENSITIVE, forcesReplacement: false });
    expect(JSON.stringify(attrs)).not.toContain("r2m");
  });

  it("a nested object cut off at the depth limit, marked on the after side only", () => {
    const attrs = attributesAfterEdit((c) => {
      c.before.deep = { a: { b: { c: { secret: "SECRET-BEFORE-d5k" } } } };
      c.after.deep = { a: { b: { c: { secret: "SECRET-AFTER-d5k" } } } };
      c.before_sensitive.deep = {};
      c.after_sensitive.deep = { a: { b: { c: { secret: true } } } };
    });
    expect(attribute(attrs, "deep.a.b.c")).toEqual({ path: "deep.a.b.c", before: SENSITIVE, after: SENSITIVE, forcesReplacement: false });
    expect(JSON.stringify(attrs)).not.toContain("d5k");
  });

  it("a nested object cut off at the depth limit, marked on the before side only", () => {
    const attrs = attributesAfterEdit((c) => {
      c.before.deep = { a: { b: { c: { secret: "SECRET-BEFORE-h8w" } } } };
      c.after.deep = { a: { b: { c: { secret: "PLAIN-AFTER-h8w" } } } };
      c.before_sensitive.deep = { a: { b: { c: { secret: true } } } };
      c.after_sensitive.deep = {};
    });
    expect(attribute(attrs, "deep.a.b.c")).toEqual({ path: "deep.a.b.c", before: SENSITIVE, after: SENSITIVE, forcesReplacement: false });
    expect(JSON.stringify(attrs)).not.toContain("h8w");
  });

  it("a value that becomes unknown and partly sensitive", () => {
    const attrs = attributesAfterEdit((c) => {
      c.before.token = { value: "PLAIN-BEFORE-u3c" };
      delete c.after.token;
      c.after_sensitive.token = { value: true };
      c.after_unknown = { token: true };
    });
    expect(attribute(attrs, "token")).toEqual({ path: "token", before: SENSITIVE, after: UNKNOWN, forcesReplacement: false });
    expect(JSON.stringify(attrs)).not.toContain("u3c");
  });

  it("a map element marked on one side only, one level down", () => {
    const attrs = attributesAfterEdit((c) => {
      (c.before.map as Record<string, JsonValue>).two = "PLAIN-BEFORE-m9t";
      (c.after.map as Record<string, JsonValue>).two = "SECRET-AFTER-m9t";
      c.after_sensitive.map = { two: true };
    });
    expect(attribute(attrs, "map.two")).toEqual({ path: "map.two", before: SENSITIVE, after: SENSITIVE, forcesReplacement: false });
    expect(JSON.stringify(attrs)).not.toContain("m9t");
  });

  it("still shows values that no side marks, and null for an absent side", () => {
    const attrs = attributesAfterEdit((c) => {
      c.after.token = { value: "SECRET-AFTER-n4p" };
      c.after_sensitive.token = { value: true };
    });
    expect(attribute(attrs, "map.one")).toEqual({ path: "map.one", before: '"682672C7-0918-4448-8342-887BAE01062A"', after: "null", forcesReplacement: false });
    expect(attribute(attrs, "token")).toEqual({ path: "token", before: "null", after: SENSITIVE, forcesReplacement: false });
  });
});
