// The subset of Argo Workflows' v1alpha1 API (argo-workflows v3.7, pkg/apis/workflow/v1alpha1)
// that mwop emits and reads. Field names and meanings follow Argo's; only what we use is here.
// Every generated object is validated against Argo's full CRD schema in the unit tests.

export const ARGO_API_VERSION = 'argoproj.io/v1alpha1';

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  uid?: string;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface Parameter {
  name: string;
  value?: string;
  default?: string;
  description?: string;
  enum?: string[];
  valueFrom?: { path?: string; default?: string };
}

export interface Inputs {
  parameters?: Parameter[];
}

export interface Outputs {
  parameters?: Parameter[];
  result?: string;
  exitCode?: string;
}

export interface Arguments {
  parameters?: Parameter[];
}

/** templateRef: a template in a (Cluster)WorkflowTemplate; clusterScope selects the cluster one. */
export interface TemplateRef {
  name: string;
  template: string;
  clusterScope?: boolean;
}

export interface DAGTask {
  name: string;
  template?: string;
  templateRef?: TemplateRef;
  arguments?: Arguments;
  /** Argo's enhanced depends logic, for example `a && (b.Succeeded || b.Skipped)`. */
  depends?: string;
  when?: string;
  /** Expands the task once per number from start to end (counting down when start > end). */
  withSequence?: { start?: string; end?: string; count?: string };
}

export interface HTTPHeader {
  name: string;
  value?: string;
}

/** Runs in the argo agent pod, not in a pod of its own. Default success: status code 2xx. */
export interface HTTPTemplate {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: HTTPHeader[];
  body?: string;
  /** Deadline of one request, in seconds (int64 in Argo: not templatable). */
  timeoutSeconds?: number;
  successCondition?: string;
  insecureSkipVerify?: boolean;
}

/** kubectl in the executor: get/create/apply/delete/replace/patch, then wait for the conditions. */
export interface ResourceTemplate {
  action: 'get' | 'create' | 'apply' | 'delete' | 'replace' | 'patch';
  manifest?: string;
  mergeStrategy?: 'strategic' | 'merge' | 'json';
  /** Label-selector syntax over gjson paths of the object, e.g. `status.readyReplicas == 3`. */
  successCondition?: string;
  failureCondition?: string;
  flags?: string[];
  setOwnerReference?: boolean;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } };
}

export interface Container {
  name?: string;
  image: string;
  command?: string[];
  args?: string[];
  env?: EnvVar[];
  resources?: {
    limits?: Record<string, string>;
    requests?: Record<string, string>;
  };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: Record<string, unknown>;
}

export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  emptyDir?: Record<string, never>;
}

export interface Backoff {
  duration?: string;
  factor?: number | string;
  maxDuration?: string;
}

/** Argo retries the node while `expression` (expr language, over lastRetry.*) is true, up to limit. */
export interface RetryStrategy {
  limit?: number | string;
  retryPolicy?: 'Always' | 'OnFailure' | 'OnError' | 'OnTransientError';
  expression?: string;
  backoff?: Backoff;
}

export interface Template {
  name: string;
  inputs?: Inputs;
  outputs?: Outputs;
  dag?: { tasks: DAGTask[]; failFast?: boolean };
  http?: HTTPTemplate;
  resource?: ResourceTemplate;
  container?: Container;
  volumes?: Volume[];
  retryStrategy?: RetryStrategy;
  /** Pod templates only: seconds (or a parameter) before the pod is killed. */
  activeDeadlineSeconds?: number | string;
  timeout?: string;
  /** Most child tasks of this template that run at once. */
  parallelism?: number;
  /** A JSON patch of the pod spec; a string, so it can carry parameters (resources, for example). */
  podSpecPatch?: string;
  serviceAccountName?: string;
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
}

export interface TTLStrategy {
  secondsAfterCompletion?: number;
  secondsAfterSuccess?: number;
  secondsAfterFailure?: number;
}

export interface PodGC {
  strategy: 'OnPodCompletion' | 'OnPodSuccess' | 'OnWorkflowCompletion' | 'OnWorkflowSuccess';
  deleteDelayDuration?: string;
}

// A type alias, not an interface: it then fits Record<string, unknown> (the controller's WorkflowLike).
export type WorkflowSpec = {
  entrypoint?: string;
  arguments?: Arguments;
  templates?: Template[];
  serviceAccountName?: string;
  /** Whole-workflow deadline: Argo fails the workflow and stops its pods when it runs out. */
  activeDeadlineSeconds?: number;
  ttlStrategy?: TTLStrategy;
  podGC?: PodGC;
  /** Set to Terminate (no exit handlers) or Stop (exit handlers run) to end a running workflow. */
  shutdown?: 'Terminate' | 'Stop';
  parallelism?: number;
  workflowMetadata?: { labels?: Record<string, string>; annotations?: Record<string, string> };
};

export type NodePhase = 'Pending' | 'Running' | 'Succeeded' | 'Skipped' | 'Failed' | 'Error' | 'Omitted';
export type NodeType =
  | 'Pod'
  | 'Container'
  | 'Steps'
  | 'StepGroup'
  | 'DAG'
  | 'TaskGroup'
  | 'Retry'
  | 'Skipped'
  | 'Suspend'
  | 'HTTP'
  | 'Plugin';

export interface NodeStatus {
  id: string;
  name: string;
  displayName?: string;
  type: NodeType;
  templateName?: string;
  templateRef?: TemplateRef;
  phase?: NodePhase;
  boundaryID?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  children?: string[];
  inputs?: Inputs;
  outputs?: Outputs;
  progress?: string;
}

export type WorkflowPhase = '' | 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Error';

export type WorkflowStatus = {
  phase?: WorkflowPhase;
  startedAt?: string | null;
  finishedAt?: string | null;
  message?: string;
  progress?: string;
  nodes?: Record<string, NodeStatus>;
  /** base64 of gzip of the nodes JSON, when the controller compressed a large status. */
  compressedNodes?: string;
  /** Set when the controller offloaded the nodes to its database; they are not in the object. */
  offloadNodeStatusVersion?: string;
};

export interface Workflow {
  apiVersion: typeof ARGO_API_VERSION;
  kind: 'Workflow';
  metadata: ObjectMeta;
  spec: WorkflowSpec;
  status?: WorkflowStatus;
}

export interface ClusterWorkflowTemplate {
  apiVersion: typeof ARGO_API_VERSION;
  kind: 'ClusterWorkflowTemplate';
  metadata: ObjectMeta;
  spec: WorkflowSpec;
}
