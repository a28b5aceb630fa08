import { CommandLineError, parseSynthCommandLine } from "../../config/command-line";

const parse = (...argv: string[]) => parseSynthCommandLine(argv, { withFormat: false });
const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof CommandLineError) return error.message;
    throw error;
  }
  throw new Error("expected a CommandLineError");
};

describe("the synth command line", () => {
  it("means every environment without --env, and joins repeated and comma-separated ones", () => {
    expect(parse()).toEqual({ help: false });
    expect(parse("--env", "staging")).toEqual({ help: false, environments: ["staging"] });
    expect(parse("--env=staging,production", "--env", "bootstrap")).toEqual({ help: false, environments: ["staging", "production", "bootstrap"] });
    expect(parse("-h")).toEqual({ help: true });
  });

  it("refuses what it cannot run instead of synthesizing everything", () => {
    expect(refusal(() => parse("--evn", "staging"))).toBe("Unknown option '--evn'");
    expect(refusal(() => parse("--env="))).toBe("--env: expected environment names, got nothing");
    expect(refusal(() => parse("--env", ","))).toBe("--env: expected environment names, got nothing");
    expect(refusal(() => parse("staging"))).toMatch(/^Unexpected argument 'staging'/);
    expect(refusal(() => parse("--format", "json"))).toBe("Unknown option '--format'");
    expect(parseSynthCommandLine(["--format", "json"], { withFormat: true })).toEqual({ help: false, format: "json" });
  });
});
