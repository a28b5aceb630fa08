// Schema validation of the head render with the kubernetes-models packages (Kubernetes' OpenAPI
// schemas and Argo CD's CRDs, compiled to validators): a wrong field type or a missing required field
// is an error finding, as the API server would refuse the object at sync time.
import type { Finding } from "./checks";
import type { KubeObject } from "./objects";

type ModelClass = new (data: unknown) => { validate(): void };

/**
 * The API groups whose schemas are checked, and the package directory of their models (one module
 * per kind, e.g. `kubernetes-models/apps/v1/Deployment`); objects of other groups (other CRDs) are not.
 */
const GROUPS: ReadonlyMap<string, string> = new Map([
  ["v1", "kubernetes-models/v1"],
  ["apps/v1", "kubernetes-models/apps/v1"],
  ["autoscaling/v2", "kubernetes-models/autoscaling/v2"],
  ["batch/v1", "kubernetes-models/batch/v1"],
  ["networking.k8s.io/v1", "kubernetes-models/networking.k8s.io/v1"],
  ["policy/v1", "kubernetes-models/policy/v1"],
  ["rbac.authorization.k8s.io/v1", "kubernetes-models/rbac.authorization.k8s.io/v1"],
  ["argoproj.io/v1alpha1", "@kubernetes-models/argo-cd/argoproj.io/v1alpha1"],
]);

/** A kind as Kubernetes names them; anything else (a path, a dot) never reaches a module specifier. */
const KIND = /^[A-Z][A-Za-z0-9]*$/;

const models = new Map<string, ModelClass | undefined>();

/**
 * The model of one kind, loaded the first time an object of that kind is seen. Loading whole groups
 * costs ~0.3 s (about 700 modules) at every preview, and a render uses a handful of kinds.
 */
function modelOf(apiVersion: string, kind: string): ModelClass | undefined {
  const group = GROUPS.get(apiVersion);
  if (group === undefined || !KIND.test(kind)) return undefined;
  const specifier = `${group}/${kind}`;
  if (!models.has(specifier)) models.set(specifier, loadModel(group, specifier, kind));
  return models.get(specifier);
}

// Plain requires: the bundled CLI runs as a vm.Script (scripts/run-bundled.mjs), where import() is
// not available, and the models stay outside the bundle.
/* eslint-disable @typescript-eslint/no-require-imports */
function loadModel(group: string, specifier: string, kind: string): ModelClass | undefined {
  let file: string;
  try {
    file = require.resolve(specifier);
  } catch (error) {
    if ((error as { code?: string }).code !== "MODULE_NOT_FOUND") throw error;
    // The group has no model of this kind, unless the package itself is missing: resolving the
    // group throws then, and a broken install fails the preview instead of skipping every check.
    require.resolve(group);
    return undefined;
  }
  const module = require(file) as Record<string, unknown>;
  return typeof module[kind] === "function" ? (module[kind] as ModelClass) : undefined;
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** The schema finding of one object, or undefined when it is valid or its kind has no schema here. */
export function schemaFinding(obj: KubeObject, key: string): Finding | undefined {
  // Secrets reach the preview without their values (objects.ts): nothing left to validate.
  if (obj.kind === "Secret" || obj.apiVersion === undefined) return undefined;
  const Model = modelOf(obj.apiVersion, obj.kind);
  if (Model === undefined) return undefined;
  try {
    new Model(obj).validate();
    return undefined;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 300);
    return { severity: "error", object: key, message: `schema (${obj.apiVersion} ${obj.kind}): ${message}` };
  }
}
