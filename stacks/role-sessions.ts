// How long the workflow roles' sessions may last. Kept apart from the bootstrap stack (and cdktf)
// so the workflow tests can check the workflows against it cheaply.

/**
 * Longest session of the plan role (pull-request plans, drift): two hours, well over those jobs'
 * 60-minute timeouts. The workflows ask for exactly this with `role-duration-seconds`.
 */
export const PLAN_ROLE_MAX_SESSION_SECONDS = 2 * 3600;
/**
 * Longest session of the apply roles: six hours, the apply job's timeout (360 minutes), so a long
 * node-group rollout is never left with expired credentials halfway. IAM allows up to 12 hours.
 */
export const APPLY_ROLE_MAX_SESSION_SECONDS = 6 * 3600;
