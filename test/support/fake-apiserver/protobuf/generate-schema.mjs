#!/usr/bin/env node
// Generates kube-proto-schema.generated.ts: the protobuf field layout of the built-in kinds the
// API-server double serves, read from the Go struct tags of k8s.io/api and k8s.io/apimachinery.
//
//   node generate-schema.mjs <k8s.io/api checkout> <k8s.io/apimachinery checkout> > kube-proto-schema.generated.ts
//
// (checkouts at the v0.35.x tags; only the listed API packages and apimachinery's pkg/apis/meta/v1 are read)
//
// Field spec: "<number> <jsonName> <type> <flags>"; type is a scalar (string, bytes, bool, int32,
// int64, uint32, uint64, float64), @pkg.Struct, a special (Time, MicroTime, Duration, IntOrString,
// Quantity, RawExtension, FieldsV1), []<type> or map[<scalar>]<type>; flags: o=omitempty,
// p=pointer, i=inline (fields merge into the parent object).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [apiDir, machineryDir] = process.argv.slice(2);
if (!apiDir || !machineryDir) {
  console.error('usage: generate-schema.mjs <k8s.io/api dir> <k8s.io/apimachinery dir>');
  process.exit(2);
}

const PACKAGES = {
  'k8s.io/api/core/v1': ['core/v1', join(apiDir, 'core/v1')],
  'k8s.io/api/apps/v1': ['apps/v1', join(apiDir, 'apps/v1')],
  'k8s.io/api/batch/v1': ['batch/v1', join(apiDir, 'batch/v1')],
  'k8s.io/api/coordination/v1': ['coordination/v1', join(apiDir, 'coordination/v1')],
  'k8s.io/api/rbac/v1': ['rbac/v1', join(apiDir, 'rbac/v1')],
  'k8s.io/api/policy/v1': ['policy/v1', join(apiDir, 'policy/v1')],
  'k8s.io/api/networking/v1': ['networking/v1', join(apiDir, 'networking/v1')],
  'k8s.io/api/events/v1': ['events/v1', join(apiDir, 'events/v1')],
  'k8s.io/api/autoscaling/v2': ['autoscaling/v2', join(apiDir, 'autoscaling/v2')],
  'k8s.io/api/admissionregistration/v1': ['admissionregistration/v1', join(apiDir, 'admissionregistration/v1')],
  'k8s.io/api/autoscaling/v1': ['autoscaling/v1', join(apiDir, 'autoscaling/v1')],
  'k8s.io/api/storage/v1': ['storage/v1', join(apiDir, 'storage/v1')],
  'k8s.io/api/scheduling/v1': ['scheduling/v1', join(apiDir, 'scheduling/v1')],
  'k8s.io/api/discovery/v1': ['discovery/v1', join(apiDir, 'discovery/v1')],
  'k8s.io/api/certificates/v1': ['certificates/v1', join(apiDir, 'certificates/v1')],
  'k8s.io/api/authorization/v1': ['authorization/v1', join(apiDir, 'authorization/v1')],
  'k8s.io/api/authentication/v1': ['authentication/v1', join(apiDir, 'authentication/v1')],
  'k8s.io/apimachinery/pkg/apis/meta/v1': ['meta/v1', join(machineryDir, 'pkg/apis/meta/v1')],
};

const SPECIALS = {
  'meta/v1.Time': 'Time',
  'meta/v1.MicroTime': 'MicroTime',
  'meta/v1.Duration': 'Duration',
  'meta/v1.FieldsV1': 'FieldsV1',
  'k8s.io/apimachinery/pkg/util/intstr.IntOrString': 'IntOrString',
  'k8s.io/apimachinery/pkg/api/resource.Quantity': 'Quantity',
  'k8s.io/apimachinery/pkg/runtime.RawExtension': 'RawExtension',
  'k8s.io/apimachinery/pkg/types.UID': 'string',
  'k8s.io/apimachinery/pkg/types.NodeName': 'string',
};

const ROOTS = [
  ...['Namespace', 'Secret', 'ConfigMap', 'Service', 'ServiceAccount', 'Endpoints', 'Event', 'Pod', 'PersistentVolumeClaim'].map((k) => `core/v1.${k}`),
  ...['Node', 'PersistentVolume', 'ResourceQuota', 'LimitRange', 'PodTemplate', 'ReplicationController'].map((k) => `core/v1.${k}`),
  'autoscaling/v1.Scale',
  'storage/v1.StorageClass',
  'scheduling/v1.PriorityClass',
  'discovery/v1.EndpointSlice',
  'certificates/v1.CertificateSigningRequest',
  ...['SelfSubjectAccessReview', 'SelfSubjectRulesReview', 'SubjectAccessReview', 'LocalSubjectAccessReview'].map((k) => `authorization/v1.${k}`),
  'authentication/v1.SelfSubjectReview',
  'authentication/v1.TokenReview',
  'authentication/v1.TokenRequest',
  ...['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet'].map((k) => `apps/v1.${k}`),
  'events/v1.Event',
  'autoscaling/v2.HorizontalPodAutoscaler',
  'batch/v1.Job',
  'batch/v1.CronJob',
  ...['NetworkPolicy', 'Ingress', 'IngressClass'].map((k) => `networking/v1.${k}`),
  'policy/v1.PodDisruptionBudget',
  ...['Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'].map((k) => `rbac/v1.${k}`),
  'admissionregistration/v1.ValidatingWebhookConfiguration',
  'admissionregistration/v1.MutatingWebhookConfiguration',
  'coordination/v1.Lease',
  'meta/v1.DeleteOptions',
];

const SCALARS = new Set(['string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'float64', 'float32', 'int', 'byte']);

const structs = new Map(); // key -> { fields: [{ name, type, tag }], imports, pkg }
const named = new Map(); // key -> { type, imports, pkg }

function stripComments(text) {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/[^\n]*/g, '');
}

function parseImports(text) {
  const imports = {};
  const block = /import\s*\(([\s\S]*?)\)/.exec(text);
  const lines = block ? block[1].split('\n') : (text.match(/^import\s+.*$/gm) ?? []).map((l) => l.replace(/^import\s+/, ''));
  for (const line of lines) {
    const m = /^\s*(\w+)?\s*"([^"]+)"/.exec(line);
    if (!m) continue;
    const path = m[2];
    imports[m[1] ?? path.split('/').pop()] = path;
  }
  return imports;
}

function parsePackage(importPath, [pkg, dir]) {
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.go') || file.endsWith('_test.go') || file.startsWith('zz_') || file.includes('generated')) continue;
    const text = stripComments(readFileSync(join(dir, file), 'utf8'));
    const imports = parseImports(text);
    for (const m of text.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
      const fields = [];
      for (const line of m[2].split('\n')) {
        const f = /^\s*(\S+)(?:\s+(\S+))?\s+`([^`]*)`/.exec(line);
        if (!f) continue;
        const [name, type] = f[2] === undefined ? [f[1].replace(/^\*/, '').split('.').pop(), f[1]] : [f[1], f[2]];
        fields.push({ name, type, tag: f[3] });
      }
      structs.set(`${pkg}.${m[1]}`, { fields, imports, pkg });
    }
    for (const m of text.matchAll(/^type (\w+) ((?:map\[|\[\]|\*)?[\w.\[\]*]+)\s*$/gm)) {
      if (m[2] !== 'struct' && m[2] !== 'interface') named.set(`${pkg}.${m[1]}`, { type: m[2], imports, pkg });
    }
  }
  void importPath;
}

for (const [importPath, spec] of Object.entries(PACKAGES)) parsePackage(importPath, spec);

function tagValue(tag, key) {
  const m = new RegExp(`${key}:"([^"]*)"`).exec(tag);
  return m ? m[1] : undefined;
}

function qualify(type, ctx) {
  const dot = type.indexOf('.');
  if (dot < 0) return `${ctx.pkg}.${type}`;
  const alias = type.slice(0, dot);
  const path = ctx.imports[alias];
  if (!path) throw new Error(`unknown import alias ${alias} in ${ctx.pkg}`);
  const pkg = PACKAGES[path]?.[0] ?? path;
  return `${pkg}.${type.slice(dot + 1)}`;
}

function resolve(type, ctx) {
  if (type.startsWith('*')) return resolve(type.slice(1), ctx);
  if (type === '[]byte') return 'bytes';
  if (type.startsWith('[]')) return `[]${resolve(type.slice(2), ctx)}`;
  if (type.startsWith('map[')) {
    const close = type.indexOf(']');
    return `map[${resolve(type.slice(4, close), ctx)}]${resolve(type.slice(close + 1), ctx)}`;
  }
  if (SCALARS.has(type)) return type === 'int' ? 'int64' : type === 'byte' ? 'uint32' : type === 'float32' ? 'float64' : type;
  const key = qualify(type, ctx);
  if (SPECIALS[key]) return SPECIALS[key];
  if (structs.has(key)) return `@${key}`;
  const alias = named.get(key);
  if (alias) return resolve(alias.type, alias);
  throw new Error(`cannot resolve ${type} (${key}) in ${ctx.pkg}`);
}

const out = new Map();
const queue = [...ROOTS];
while (queue.length > 0) {
  const key = queue.shift();
  if (out.has(key)) continue;
  const struct = structs.get(key);
  if (!struct) throw new Error(`missing struct ${key}`);
  const specs = [];
  for (const field of struct.fields) {
    const proto = tagValue(field.tag, 'protobuf');
    if (!proto || proto === '-') continue;
    const number = Number(proto.split(',')[1]);
    const json = tagValue(field.tag, 'json') ?? field.name;
    const [jsonName, ...options] = json.split(',');
    const type = resolve(field.type, struct);
    let flags = '';
    if (options.includes('omitempty')) flags += 'o';
    if (field.type.startsWith('*')) flags += 'p';
    if (options.includes('inline') || jsonName === '') flags += 'i';
    specs.push(`${number} ${jsonName === '' ? '-' : jsonName} ${type}${flags === '' ? '' : ` ${flags}`}`);
    for (const m of type.matchAll(/@([\w/.]+)/g)) queue.push(m[1]);
  }
  out.set(key, specs.join(';'));
}

const lines = [...out.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `  '${k}': '${v}',`);
process.stdout.write(`// Generated by generate-schema.mjs from the Go struct tags of k8s.io/api and k8s.io/apimachinery. Do not edit.
// prettier-ignore
export const KUBE_PROTO_MESSAGES: Readonly<Record<string, string>> = {
${lines.join('\n')}
};
`);
