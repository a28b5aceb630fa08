// Schema validation of the head render with the kubernetes-models packages (Kubernetes' OpenAPI
// schemas and Argo CD's CRDs, compiled to validators): a wrong field type or a missing required field
// is an error finding, as the API server would refuse the object at sync time.
import * as argo from "@kubernetes-models/argo-cd/argoproj.io/v1alpha1";
import * as apps from "kubernetes-models/apps/v1";
import * as autoscaling from "kubernetes-models/autoscaling/v2";
import * as batch from "kubernetes-models/batch/v1";
import * as networking from "kubernetes-models/networking.k8s.io/v1";
import * as policy from "kubernetes-models/policy/v1";
import * as rbac from "kubernetes-models/rbac.authorization.k8s.io/v1";
import * as core from "kubernetes-models/v1";
import type { Finding } from "./checks";
import type { KubeObject } from "./objects";

type ModelClass = new (data: unknown) => { validate(): void };

/** The API groups whose schemas are checked; objects of other groups (other CRDs) are not. */
const GROUPS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  v1: core,
  "apps/v1": apps,
  "autoscaling/v2": autoscaling,
  "batch/v1": batch,
  "networking.k8s.io/v1": networking,
  "policy/v1": policy,
  "rbac.authorization.k8s.io/v1": rbac,
  "argoproj.io/v1alpha1": argo,
};

/** The schema finding of one object, or undefined when it is valid or its kind has no schema here. */
export function schemaFinding(obj: KubeObject, key: string): Finding | undefined {
  // Secrets reach the preview without their values (objects.ts): nothing left to validate.
  if (obj.kind === "Secret" || obj.apiVersion === undefined) return undefined;
  const Model = GROUPS[obj.apiVersion]?.[obj.kind];
  if (typeof Model !== "function") return undefined;
  try {
    new (Model as ModelClass)(obj).validate();
    return undefined;
  } catch (error) {
    const message = (error instanceof Error ? error.message : String(error)).split("\n")[0]!.slice(0, 300);
    return { severity: "error", object: key, message: `schema (${obj.apiVersion} ${obj.kind}): ${message}` };
  }
}
