// Reads `terraform show -json PLANFILE` output into the few typed fields the review needs.
// Validation is structural only (the fields we read); everything else in the document is ignored.
import { z } from "zod";
import { UsageError } from "../errors";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const jsonValue = z.custom<JsonValue>(() => true);

const changeSchema = z.looseObject({
  actions: z.array(z.string()).min(1),
  before: jsonValue.optional(),
  after: jsonValue.optional(),
  after_unknown: jsonValue.optional(),
  before_sensitive: jsonValue.optional(),
  after_sensitive: jsonValue.optional(),
  replace_paths: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
  importing: jsonValue.nullable().optional(),
});

const resourceChangeSchema = z.looseObject({
  address: z.string(),
  previous_address: z.string().optional(),
  mode: z.string().optional(),
  type: z.string().optional(),
  action_reason: z.string().optional(),
  change: changeSchema,
});

const planSchema = z.looseObject({
  format_version: z.string(),
  terraform_version: z.string().optional(),
  // Every plan document has planned_values; a state document (`terraform show -json` of state) has `values`.
  planned_values: z.looseObject({}),
  errored: z.boolean().optional(),
  resource_changes: z.array(resourceChangeSchema).optional(),
  output_changes: z.record(z.string(), changeSchema).optional(),
  action_invocations: z.array(z.unknown()).optional(),
});

export type ChangeJson = z.infer<typeof changeSchema>;
export type ResourceChangeJson = z.infer<typeof resourceChangeSchema>;
export type PlanJson = z.infer<typeof planSchema>;

/** Parses plan JSON text; `source` names the file in every error message. */
export function parsePlanJson(text: string, source: string): PlanJson {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    throw new UsageError(`${source}: not a Terraform plan: expected a JSON object from \`terraform show -json PLANFILE\``);
  }
  if (!("planned_values" in data) && "values" in data) {
    throw new UsageError(`${source}: not a Terraform plan: this looks like state JSON (has "values", no "planned_values")`);
  }
  const result = planSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? formatPath(issue.path) : "document";
    throw new UsageError(`${source}: not a Terraform plan: ${where}: ${issue?.message ?? "invalid"}`);
  }
  return result.data;
}

function formatPath(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : `${i === 0 ? "" : "."}${String(p)}`)).join("");
}
