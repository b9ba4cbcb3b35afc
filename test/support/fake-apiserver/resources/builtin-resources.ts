import {
  CONFIG_MAP_TABLE,
  DEPLOYMENT_TABLE,
  EVENT_TABLE,
  LEASE_TABLE,
  NAMESPACE_TABLE,
  POD_TABLE,
  SECRET_TABLE,
  SERVICE_ACCOUNT_TABLE,
  SERVICE_TABLE,
} from './builtin-printers.js';
import { PATCH_TYPES, STANDARD_VERBS } from '../core/resource-type.js';
import type { NameRule, ObjectView, ResourceStrategy, ResourceType, ScaleSpec, TableSpec } from '../core/resource-type.js';
import { accessReview, rulesReview, selfAccessReview, selfSubjectReview, tokenReview } from './review-resources.js';
import type { Review } from './review-resources.js';
import { REPLICAS_SCALE } from './scale-subresource.js';
import { configMapStrategy } from './strategies/config-map-strategy.js';
import { crdStrategy } from './strategies/crd-strategy.js';
import { coreEventStrategy, eventsV1Strategy, eventsV1View } from './strategies/event-strategy.js';
import { leaseStrategy } from './strategies/lease-strategy.js';
import { namespaceStrategy } from './strategies/namespace-strategy.js';
import { secretStrategy } from './strategies/secret-strategy.js';
import { createServiceStrategy } from './strategies/service-strategy.js';
import { cronJobStrategy, jobStrategy, podStrategy } from './strategies/pod-defaults.js';
import { daemonSetDefaults, deploymentDefaults, replicaSetDefaults, statefulSetDefaults, workloadStrategy } from './strategies/workload-strategy.js';
import { DEFAULT_TABLE } from './table-conversion.js';

interface BuiltinSpec {
  readonly group: string;
  readonly version: string;
  readonly resource: string;
  readonly kind: string;
  readonly namespaced?: boolean;
  readonly shortNames?: readonly string[];
  readonly categories?: readonly string[];
  readonly status?: boolean;
  readonly generation?: boolean;
  readonly createOnUpdate?: boolean;
  readonly returnDeleted?: boolean;
  readonly fields?: readonly string[];
  readonly table?: TableSpec;
  readonly strategy?: ResourceStrategy;
  readonly view?: ObjectView;
  readonly storageKey?: string;
  readonly nameRule?: NameRule;
  readonly scale?: ScaleSpec;
  readonly review?: Review;
  readonly schemaPackage: string;
}

function builtin(spec: BuiltinSpec): ResourceType {
  return {
    group: spec.group,
    version: spec.version,
    resource: spec.resource,
    singular: spec.kind.toLowerCase(),
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    namespaced: spec.namespaced ?? true,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    verbs: spec.review === undefined ? STANDARD_VERBS : ['create'],
    storageKey: spec.storageKey ?? `${spec.group === '' ? 'core' : spec.group}/${spec.resource}`,
    statusSubresource: spec.status ?? false,
    tracksGeneration: spec.generation ?? false,
    allowCreateOnUpdate: spec.createOnUpdate ?? false,
    allowUnconditionalUpdate: true,
    returnDeletedObject: spec.returnDeleted ?? false,
    patchTypes: [PATCH_TYPES.json, PATCH_TYPES.merge, PATCH_TYPES.strategic, PATCH_TYPES.apply],
    selectableFields: spec.fields ?? [],
    table: spec.table ?? DEFAULT_TABLE,
    ...(spec.view === undefined ? {} : { view: spec.view }),
    strategy: spec.strategy ?? {},
    schemaName: `${spec.schemaPackage}.${spec.version}.${spec.kind}`,
    origin: 'builtin',
    nameRule: spec.nameRule ?? 'subdomain',
    ...(spec.scale === undefined ? {} : { scale: spec.scale }),
    ...(spec.review === undefined ? {} : { review: spec.review }),
  };
}

const CORE = 'io.k8s.api.core';
const ALL = ['all'];
const EVENT_FIELDS = [
  'involvedObject.kind',
  'involvedObject.namespace',
  'involvedObject.name',
  'involvedObject.uid',
  'involvedObject.apiVersion',
  'involvedObject.resourceVersion',
  'involvedObject.fieldPath',
  'reason',
  'reportingComponent',
  'source',
  'type',
];

const REVIEW = { namespaced: false, nameRule: 'pathSegment' } as const;

/** The resources every fresh double serves. One call per server: strategies may hold state. */
export function builtinResources(): ResourceType[] {
  return [
    ...extraResources(),
    builtin({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectaccessreviews', kind: 'SelfSubjectAccessReview', ...REVIEW, review: selfAccessReview, schemaPackage: 'io.k8s.api.authorization' }),
    builtin({ group: 'authorization.k8s.io', version: 'v1', resource: 'selfsubjectrulesreviews', kind: 'SelfSubjectRulesReview', ...REVIEW, review: rulesReview, schemaPackage: 'io.k8s.api.authorization' }),
    builtin({ group: 'authorization.k8s.io', version: 'v1', resource: 'subjectaccessreviews', kind: 'SubjectAccessReview', ...REVIEW, review: accessReview, schemaPackage: 'io.k8s.api.authorization' }),
    builtin({ group: 'authorization.k8s.io', version: 'v1', resource: 'localsubjectaccessreviews', kind: 'LocalSubjectAccessReview', namespaced: true, nameRule: 'pathSegment', review: accessReview, schemaPackage: 'io.k8s.api.authorization' }),
    builtin({ group: 'authentication.k8s.io', version: 'v1', resource: 'selfsubjectreviews', kind: 'SelfSubjectReview', ...REVIEW, review: selfSubjectReview, schemaPackage: 'io.k8s.api.authentication' }),
    builtin({ group: 'authentication.k8s.io', version: 'v1', resource: 'tokenreviews', kind: 'TokenReview', ...REVIEW, review: tokenReview, schemaPackage: 'io.k8s.api.authentication' }),
    builtin({ group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false, shortNames: ['ns'], status: true, returnDeleted: true, table: NAMESPACE_TABLE, strategy: namespaceStrategy, nameRule: 'label', fields: ['status.phase'], schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'secrets', kind: 'Secret', table: SECRET_TABLE, strategy: secretStrategy, fields: ['type'], schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'], table: CONFIG_MAP_TABLE, strategy: configMapStrategy, schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'services', kind: 'Service', shortNames: ['svc'], categories: ALL, status: true, returnDeleted: true, table: SERVICE_TABLE, strategy: createServiceStrategy(), nameRule: 'label1035', schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'], table: SERVICE_ACCOUNT_TABLE, schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'endpoints', kind: 'Endpoints', shortNames: ['ep'], createOnUpdate: true, schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'events', kind: 'Event', shortNames: ['ev'], createOnUpdate: true, table: EVENT_TABLE, strategy: coreEventStrategy, fields: EVENT_FIELDS, storageKey: 'core/events', schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'pods', kind: 'Pod', shortNames: ['po'], categories: ALL, status: true, generation: true, returnDeleted: true, table: POD_TABLE, strategy: podStrategy, fields: ['spec.nodeName', 'spec.serviceAccountName', 'status.phase', 'status.podIP'], schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'persistentvolumeclaims', kind: 'PersistentVolumeClaim', shortNames: ['pvc'], status: true, schemaPackage: CORE }),
    builtin({ group: 'apps', version: 'v1', resource: 'deployments', kind: 'Deployment', shortNames: ['deploy'], categories: ALL, status: true, generation: true, scale: REPLICAS_SCALE, table: DEPLOYMENT_TABLE, strategy: workloadStrategy(deploymentDefaults), schemaPackage: 'io.k8s.api.apps' }),
    builtin({ group: 'apps', version: 'v1', resource: 'statefulsets', kind: 'StatefulSet', shortNames: ['sts'], categories: ALL, status: true, generation: true, scale: REPLICAS_SCALE, strategy: workloadStrategy(statefulSetDefaults), schemaPackage: 'io.k8s.api.apps' }),
    builtin({ group: 'apps', version: 'v1', resource: 'daemonsets', kind: 'DaemonSet', shortNames: ['ds'], categories: ALL, status: true, generation: true, strategy: workloadStrategy(daemonSetDefaults), schemaPackage: 'io.k8s.api.apps' }),
    builtin({ group: 'apps', version: 'v1', resource: 'replicasets', kind: 'ReplicaSet', shortNames: ['rs'], categories: ALL, status: true, generation: true, scale: REPLICAS_SCALE, strategy: workloadStrategy(replicaSetDefaults), schemaPackage: 'io.k8s.api.apps' }),
    builtin({ group: 'events.k8s.io', version: 'v1', resource: 'events', kind: 'Event', shortNames: ['ev'], createOnUpdate: true, strategy: eventsV1Strategy, view: eventsV1View, storageKey: 'core/events', fields: ['regarding.kind', 'regarding.name', 'regarding.namespace', 'reason', 'type'], schemaPackage: 'io.k8s.api.events' }),
    builtin({ group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', kind: 'HorizontalPodAutoscaler', shortNames: ['hpa'], categories: ALL, status: true, generation: true, schemaPackage: 'io.k8s.api.autoscaling' }),
    builtin({ group: 'batch', version: 'v1', resource: 'jobs', kind: 'Job', categories: ALL, status: true, generation: true, strategy: jobStrategy, schemaPackage: 'io.k8s.api.batch' }),
    builtin({ group: 'batch', version: 'v1', resource: 'cronjobs', kind: 'CronJob', shortNames: ['cj'], categories: ALL, status: true, generation: true, strategy: cronJobStrategy, schemaPackage: 'io.k8s.api.batch' }),
    builtin({ group: 'networking.k8s.io', version: 'v1', resource: 'networkpolicies', kind: 'NetworkPolicy', shortNames: ['netpol'], generation: true, schemaPackage: 'io.k8s.api.networking' }),
    builtin({ group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', kind: 'Ingress', shortNames: ['ing'], status: true, generation: true, schemaPackage: 'io.k8s.api.networking' }),
    builtin({ group: 'networking.k8s.io', version: 'v1', resource: 'ingressclasses', kind: 'IngressClass', namespaced: false, schemaPackage: 'io.k8s.api.networking' }),
    builtin({ group: 'policy', version: 'v1', resource: 'poddisruptionbudgets', kind: 'PodDisruptionBudget', shortNames: ['pdb'], status: true, generation: true, schemaPackage: 'io.k8s.api.policy' }),
    builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterrolebindings', kind: 'ClusterRoleBinding', namespaced: false, nameRule: 'pathSegment', schemaPackage: 'io.k8s.api.rbac' }),
    builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false, nameRule: 'pathSegment', schemaPackage: 'io.k8s.api.rbac' }),
    builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'rolebindings', kind: 'RoleBinding', nameRule: 'pathSegment', schemaPackage: 'io.k8s.api.rbac' }),
    builtin({ group: 'rbac.authorization.k8s.io', version: 'v1', resource: 'roles', kind: 'Role', nameRule: 'pathSegment', schemaPackage: 'io.k8s.api.rbac' }),
    builtin({ group: 'admissionregistration.k8s.io', version: 'v1', resource: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', namespaced: false, categories: ['api-extensions'], generation: true, schemaPackage: 'io.k8s.api.admissionregistration' }),
    builtin({ group: 'admissionregistration.k8s.io', version: 'v1', resource: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration', namespaced: false, categories: ['api-extensions'], generation: true, schemaPackage: 'io.k8s.api.admissionregistration' }),
    builtin({ group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false, shortNames: ['crd', 'crds'], categories: ['api-extensions'], status: true, generation: true, returnDeleted: true, strategy: crdStrategy, schemaPackage: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions' }),
    builtin({ group: 'coordination.k8s.io', version: 'v1', resource: 'leases', kind: 'Lease', createOnUpdate: true, table: LEASE_TABLE, strategy: leaseStrategy, schemaPackage: 'io.k8s.api.coordination' }),
  ];
}

/** Storage-only kinds a real cluster serves, so that manifests and `kubectl create` using them work. */
function extraResources(): ResourceType[] {
  return [
    builtin({ group: '', version: 'v1', resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], status: true, schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'persistentvolumes', kind: 'PersistentVolume', namespaced: false, shortNames: ['pv'], status: true, schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'resourcequotas', kind: 'ResourceQuota', shortNames: ['quota'], status: true, schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'limitranges', kind: 'LimitRange', shortNames: ['limits'], schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'podtemplates', kind: 'PodTemplate', schemaPackage: CORE }),
    builtin({ group: '', version: 'v1', resource: 'replicationcontrollers', kind: 'ReplicationController', shortNames: ['rc'], categories: ALL, status: true, generation: true, scale: REPLICAS_SCALE, schemaPackage: CORE }),
    builtin({ group: 'storage.k8s.io', version: 'v1', resource: 'storageclasses', kind: 'StorageClass', namespaced: false, shortNames: ['sc'], schemaPackage: 'io.k8s.api.storage' }),
    builtin({ group: 'scheduling.k8s.io', version: 'v1', resource: 'priorityclasses', kind: 'PriorityClass', namespaced: false, shortNames: ['pc'], schemaPackage: 'io.k8s.api.scheduling' }),
    builtin({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', kind: 'EndpointSlice', schemaPackage: 'io.k8s.api.discovery' }),
    builtin({ group: 'certificates.k8s.io', version: 'v1', resource: 'certificatesigningrequests', kind: 'CertificateSigningRequest', namespaced: false, shortNames: ['csr'], status: true, schemaPackage: 'io.k8s.api.certificates' }),
  ];
}
