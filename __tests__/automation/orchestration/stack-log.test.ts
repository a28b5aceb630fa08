import { createStackLog } from "../../../automation/stack-log";

describe("stack log", () => {
  it("on GitHub Actions prints each stack as one group with workflow commands stopped inside it", () => {
    let out = "";
    const log = createStackLog((t) => void (out += t), { GITHUB_ACTIONS: "true" });
    log.begin("a", 1, 2);
    log.begin("b", 2, 2);
    log.line("a", "  + tags = { Name = \"::error::pwned\" }");
    log.line("b", "planning b");
    log.line("a", "::add-mask::nothing");
    log.end("a", "changes", 1.25);
    log.end("b", "no-changes", 2);
    const lines = out.split("\n");
    const start = lines.indexOf("::group::a: changes in 1.3s");
    expect(start).toBeGreaterThan(0);
    const token = /^::stop-commands::([0-9a-f]{32})$/.exec(lines[start + 1] ?? "")?.[1];
    expect(token).toBeDefined();
    expect(lines.slice(start + 2, start + 6)).toEqual(['  + tags = { Name = "::error::pwned" }', "::add-mask::nothing", `::${token}::`, "::endgroup::"]);
    // b's lines were not interleaved into a's group.
    expect(lines.indexOf("planning b")).toBeGreaterThan(start + 5);
  });

  it("locally streams every line with the stack's name and shows progress", () => {
    let out = "";
    const log = createStackLog((t) => void (out += t), {}, "apply");
    log.begin("a", 1, 1);
    log.line("a", "Apply complete!");
    log.end("a", "applied", 3);
    expect(out).toMatch(/^\[1\/1\] a: apply started \(0\.\ds elapsed\)\n\[a\] Apply complete!\na: applied in 3\.0s\n$/);
  });
});
