import { getPath, isJsonObject } from '../core/json-value.js';
import type { JsonObject, JsonValue } from '../core/json-value.js';
import type { TableSpec } from '../core/resource-type.js';
import { column, countEntries, printerTable } from './table-conversion.js';

/** The server-side printers of the built-ins `kubectl get` shows most often (pkg/printers/internalversion). */

function str(obj: JsonObject, ...path: string[]): string {
  const value = getPath(obj, path);
  return typeof value === 'string' ? value : '';
}

function num(obj: JsonObject, ...path: string[]): number {
  const value = getPath(obj, path);
  return typeof value === 'number' ? value : 0;
}

export const SECRET_TABLE = printerTable([column('Type'), column('Data', 'string')], (obj) => [
  str(obj, 'type'),
  countEntries(obj['data']),
]);

export const CONFIG_MAP_TABLE = printerTable([column('Data', 'string')], (obj) => [countEntries(obj['data']) + countEntries(obj['binaryData'])]);

export const NAMESPACE_TABLE = printerTable([column('Status')], (obj) => [str(obj, 'status', 'phase')]);

export const SERVICE_ACCOUNT_TABLE = printerTable([], () => []);

export const LEASE_TABLE = printerTable([column('Holder')], (obj) => [str(obj, 'spec', 'holderIdentity')]);

export const DEPLOYMENT_TABLE = printerTable([column('Ready'), column('Up-to-date', 'string'), column('Available', 'string')], (obj) => [
  `${num(obj, 'status', 'readyReplicas')}/${num(obj, 'spec', 'replicas')}`,
  num(obj, 'status', 'updatedReplicas'),
  num(obj, 'status', 'availableReplicas'),
]);

function servicePorts(obj: JsonObject): string {
  const ports = getPath(obj, ['spec', 'ports']);
  if (!Array.isArray(ports) || ports.length === 0) return '<none>';
  return ports
    .filter(isJsonObject)
    .map((p) => `${String(p['port'] ?? '')}/${String(p['protocol'] ?? 'TCP')}`)
    .join(',');
}

export const SERVICE_TABLE = printerTable([column('Type'), column('Cluster-IP'), column('External-IP'), column('Port(s)')], (obj) => [
  str(obj, 'spec', 'type'),
  str(obj, 'spec', 'clusterIP') || '<none>',
  '<none>',
  servicePorts(obj),
]);

export const POD_TABLE = printerTable([column('Ready'), column('Status'), column('Restarts', 'string')], (obj) => {
  const containers = getPath(obj, ['spec', 'containers']);
  const total = Array.isArray(containers) ? containers.length : 0;
  return [`0/${total}`, str(obj, 'status', 'phase') || 'Pending', 0];
});

export const EVENT_TABLE: TableSpec = {
  columns: [column('Last Seen'), column('Type'), column('Reason'), column('Object'), column('Message')],
  cells: (obj): JsonValue[] => [
    str(obj, 'lastTimestamp') || str(obj, 'eventTime'),
    str(obj, 'type'),
    str(obj, 'reason'),
    `${str(obj, 'involvedObject', 'kind').toLowerCase()}/${str(obj, 'involvedObject', 'name')}`,
    str(obj, 'message'),
  ],
};
