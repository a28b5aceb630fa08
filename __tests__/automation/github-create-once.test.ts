import { createOnce, mayHaveLanded, normalizeBody } from "../../automation/github/create-once";
import { describeGitHubError, describeStatus } from "../../automation/github/request-error";

/** An error shaped like Octokit's RequestError. */
function httpError(status: number, message: string, request?: { method: string; url: string }): Error {
  return Object.assign(new Error(message), { status, ...(request ? { request } : {}) });
}

describe("createOnce: a create that is never posted twice", () => {
  function harness(outcomes: Array<"ok" | number>, landedAfter: number | null = null) {
    const calls: string[] = [];
    const waits: number[] = [];
    const logs: string[] = [];
    let creates = 0;
    const run = () =>
      createOnce(
        {
          what: "the thing",
          create: async () => {
            const outcome = outcomes[creates++];
            calls.push("create");
            if (outcome === "ok") return `created on attempt ${creates}`;
            throw httpError(outcome ?? 599, "boom");
          },
          findLanded: async () => {
            calls.push("list");
            return landedAfter !== null && creates >= landedAfter ? "found the landed one" : null;
          },
        },
        { createAttempts: 3, createRetryDelayMs: 10, sleep: async (ms) => void waits.push(ms), log: (m) => logs.push(m) },
      );
    return { run, calls, waits, logs };
  }

  it("returns the create's result when it succeeds, without listing", async () => {
    const h = harness(["ok"]);
    await expect(h.run()).resolves.toBe("created on attempt 1");
    expect(h.calls).toEqual(["create"]);
  });

  it("after a 5xx lists again and returns what landed instead of creating again", async () => {
    const h = harness([502], 1);
    await expect(h.run()).resolves.toBe("found the landed one");
    expect(h.calls).toEqual(["create", "list"]);
    expect(h.logs).toEqual(["creating the thing failed (502: boom); checking whether it was created before retrying (attempt 2 of 3)"]);
  });

  it("creates again when nothing landed, waiting longer each time", async () => {
    const h = harness([500, 503, "ok"]);
    await expect(h.run()).resolves.toBe("created on attempt 3");
    expect(h.calls).toEqual(["create", "list", "create", "list", "create"]);
    expect(h.waits).toEqual([10, 20]);
  });

  it("throws the last error once the attempts are used up", async () => {
    const h = harness([500, 500, 504]);
    await expect(h.run()).rejects.toMatchObject({ status: 504 });
    expect(h.calls.filter((c) => c === "create")).toHaveLength(3);
  });

  it("does not retry a refusal (4xx): it cannot have landed", async () => {
    const h = harness([422, "ok"]);
    await expect(h.run()).rejects.toMatchObject({ status: 422 });
    expect(h.calls).toEqual(["create"]);
  });
});

describe("shared GitHub helpers", () => {
  it("mayHaveLanded: only 5xx (and timeouts, reported as 500)", () => {
    expect([500, 502, 599].map((s) => mayHaveLanded(httpError(s, "x")))).toEqual([true, true, true]);
    expect([400, 403, 404, 422].map((s) => mayHaveLanded(httpError(s, "x")))).toEqual([false, false, false, false]);
    expect(mayHaveLanded(new Error("no status"))).toBe(false);
  });

  it("normalizeBody compares CRLF bodies as LF", () => {
    expect(normalizeBody("a\r\nb\r\n")).toBe("a\nb\n");
    expect(normalizeBody("a\rb")).toBe("a\rb");
  });

  it("describeGitHubError names the request when known", () => {
    expect(describeGitHubError(httpError(503, "Service Unavailable", { method: "GET", url: "https://api.github.com/repos/a/b/issues" }))).toBe(
      "GitHub request failed (GET https://api.github.com/repos/a/b/issues): 503: Service Unavailable",
    );
    expect(describeGitHubError(new Error("socket hang up"))).toBe("GitHub request failed: no status: socket hang up");
    expect(describeStatus("plain string")).toBe("no status: plain string");
  });
});
