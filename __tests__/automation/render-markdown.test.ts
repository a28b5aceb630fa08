import { readFileSync } from "node:fs";
import { parsePlanJson } from "../../automation/plan/plan-json";
import { SENSITIVE, UNKNOWN, reviewPlan, type ResourceReview } from "../../automation/plan/review";
import { renderDriftReport } from "../../automation/render/drift-report";
import { htmlText, plainText } from "../../automation/render/markdown";
import { buildStackSection, markdownDisplay } from "../../automation/render/section";
import { fixture } from "./support/paths";

describe("markdownDisplay: a review's display value as markdown", () => {
  it("keeps placeholders in italics, values in code spans, and splits a partly unknown value", () => {
    expect(markdownDisplay(SENSITIVE)).toBe("_(sensitive)_");
    expect(markdownDisplay(UNKNOWN)).toBe("_(known after apply)_");
    expect(markdownDisplay('"a`b"')).toBe('``"a`b"``');
    expect(markdownDisplay(`{"a":1} ${UNKNOWN}`)).toBe('`{"a":1}` _(partly known after apply)_');
  });

  it("is what the drift issue shows for attributes changed outside Terraform", () => {
    const clean = parsePlanJson(readFileSync(fixture("tofu-cloud-no-changes.json"), "utf8"), "tofu-cloud-no-changes.json");
    const outside: ResourceReview = {
      address: "aws_instance.web",
      action: "update",
      moved: false,
      importing: false,
      dataSource: false,
      replacePaths: [],
      attributes: [
        { path: "tags", before: '{"team":"a"}', after: `{"team":"b"} ${UNKNOWN}`, forcesReplacement: false },
        { path: "password", before: SENSITIVE, after: SENSITIVE, forcesReplacement: false },
      ],
      omittedAttributes: 0,
    };
    const body = renderDriftReport(
      [{ stack: "staging-cluster", state: "drift", status: "no-changes", outside: [outside], section: buildStackSection({ stack: "staging-cluster", review: reviewPlan(clean) }) }],
      { env: "staging" },
    );
    expect(body).toContain(`  - \`tags\`: ${markdownDisplay('{"team":"a"}')} → ${markdownDisplay(`{"team":"b"} ${UNKNOWN}`)}\n`);
    expect(body).toContain('`{"team":"b"}` _(partly known after apply)_');
    expect(body).toContain("  - `password`: _(sensitive)_ → _(sensitive)_");
  });
});

describe("plainText and htmlText", () => {
  const hostile = "a & b <x> \"q\" @team\r\n\\ ` * _ [l](u) | ~ ' end";

  it("htmlText escapes HTML, joins lines and defuses mentions, leaving markdown punctuation alone", () => {
    expect(htmlText(hostile)).toBe("a &amp; b &lt;x&gt; &quot;q&quot; @\u200bteam \\ ` * _ [l](u) | ~ ' end");
  });

  it("plainText does the same and also backslash-escapes markdown punctuation", () => {
    expect(plainText(hostile)).toBe("a &amp; b &lt;x&gt; &quot;q&quot; @\u200bteam \\\\ \\` \\* \\_ \\[l\\](u) \\| \\~ ' end");
  });

  it("plainText is the single-pass escape of every special character, on random text", () => {
    // The reference applies each rule to the original characters, independently of htmlText.
    const reference = (t: string): string =>
      t.replace(/[\r\n]+/g, " ").replace(/[&<>"\\`*_[\]|~@]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "@": "@\u200b" })[c] ?? `\\${c}`);
    const alphabet = "a &<>\"'\\`*_[]|~@;#\r\n\u200bé";
    let seed = 7;
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
    for (let i = 0; i < 500; i++) {
      const text = Array.from({ length: next() % 24 }, () => alphabet[next() % alphabet.length]).join("");
      expect(plainText(text)).toBe(reference(text));
    }
  });

  it("escapes an entity's ampersand exactly once", () => {
    expect(plainText("&lt;")).toBe("&amp;lt;");
    expect(htmlText("&lt;")).toBe("&amp;lt;");
  });
});
