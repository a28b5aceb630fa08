import { join } from "node:path";

export const PLAN_FIXTURES = join(__dirname, "..", "..", "fixtures", "plans");
export const fixture = (name: string): string => join(PLAN_FIXTURES, name);
