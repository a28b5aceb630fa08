import { CommandLineError, parseSynthCommandLine, readSynthCommandLine } from "../../config/command-line";

const parse = (...argv: string[]) => parseSynthCommandLine(argv);
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
    expect(parseSynthCommandLine(["--format", "json"], { formats: ["text", "json"] })).toEqual({ help: false, format: "json" });
    expect(refusal(() => parseSynthCommandLine(["--format", "yaml"], { formats: ["text", "json"] }))).toBe('--format: expected "text" or "json", got "yaml"');
  });
});

describe("readSynthCommandLine", () => {
  const read = (...argv: string[]) => {
    const printed: string[] = [];
    const result = readSynthCommandLine(argv, { usage: "usage: x" }, { log: (t) => printed.push(`out: ${t}`), error: (t) => printed.push(`err: ${t}`) });
    return { result, printed };
  };

  it("prints the usage for --help (exit 0) and the problem with the usage otherwise (exit 2)", () => {
    expect(read("--help")).toEqual({ result: 0, printed: ["out: usage: x"] });
    expect(read("--bogus")).toEqual({ result: 2, printed: ["err: Unknown option '--bogus'\nusage: x"] });
    expect(read("--env", "staging")).toEqual({ result: { help: false, environments: ["staging"] }, printed: [] });
  });
});
