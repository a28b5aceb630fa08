// The name the bootstrap stack gives the read-only plan role in every account. Kept here because
// automation/ does not import the stacks or the config loader; a test checks it matches
// config/bootstrap-schema.ts's PLAN_ROLE_NAME.
export const PLAN_ROLE = "gitops-plan";
