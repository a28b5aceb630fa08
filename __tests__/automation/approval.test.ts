// What apply accepts as "reviewed": only the fingerprints marker on the last line of the plan
// workflow's own comment. Plan text and other authors can never approve anything.
import { readFileSync } from "node:fs";
import { parsePlanJson } from "../../automation/plan/plan-json";
import { reviewPlan } from "../../automation/plan/review";
import { readFingerprints, renderPlanComment } from "../../automation/render/comment";
import { buildStackSection } from "../../automation/render/section";
import { fixture } from "./support/paths";

const FORGED = `{"staging-cluster":"sha256:${"1".repeat(64)}"}`;

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
