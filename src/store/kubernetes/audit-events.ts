import { randomBytes } from 'node:crypto';
import type { CoreEvent } from '../../kube/core-types.js';
import type { KubeApi } from '../../kube/kube-api.js';
import { ANNOTATIONS, LABELS } from '../../custom-resources/labels.js';
import { ResourceClient } from '../../kube/resource-client.js';
import { EVENTS } from '../../kube/resource-types.js';
import type { AuditEntry, AuditFilter, RevocationAuditEntry, StoredAuditEntry } from '../records.js';
import { recordNameOf } from './record-names.js';

/** An audit entry as a core/v1 Event: what it says is required, the rest as the model allows. */
type AuditEvent = CoreEvent & { reason: string; message: string; type: 'Normal' | 'Warning' };

/** What is written: any audit entry, the ledger's own `revoked` included. */
type WrittenEntry = AuditEntry | RevocationAuditEntry;

const REASONS: Readonly<Record<WrittenEntry['event'], string>> = {
  submitted: 'RequestSubmitted',
  refused: 'RequestRefused',
  approved: 'RequestApproved',
  denied: 'RequestDenied',
  issued: 'CertificateIssued',
  revoked: 'CertificateRevoked',
};

const LIFECYCLE: ReadonlyArray<WrittenEntry['event']> = ['submitted', 'refused', 'approved', 'denied', 'issued', 'revoked'];

/**
 * The audit log as core/v1 Events (`kubectl get events -l ca.sms-gate.app/audit=true`): about the
 * record named (or the entry's REST record) when there is one, else about this pod. Note that API
 * servers expire Events (1 h by default); the CertificateRequest records are the durable trail.
 */
export class AuditEvents {
  private readonly events: ResourceClient<AuditEvent>;

  constructor(
    api: KubeApi,
    private readonly namespace: string,
    private readonly podName: string,
  ) {
    this.events = new ResourceClient<AuditEvent>(api, EVENTS);
  }

  async append(entry: WrittenEntry, recordName?: string): Promise<void> {
    const stamp = entry.at.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const record = recordName ?? (entry.requestId?.startsWith('REQ_') ? recordNameOf(entry.requestId) : undefined);
    await this.events.create({
      metadata: {
        name: `smsgate-ca-audit.${entry.at.getTime().toString(16)}${randomBytes(4).toString('hex')}`,
        namespace: this.namespace,
        labels: {
          [LABELS.audit]: 'true',
          'ca.sms-gate.app/audit-event': entry.event,
          'ca.sms-gate.app/door': entry.door,
          ...(entry.requestId && /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(entry.requestId) ? { 'ca.sms-gate.app/request-id': entry.requestId } : {}),
        },
        annotations: { [ANNOTATIONS.audit]: JSON.stringify(entry) },
      },
      involvedObject: record
        ? { apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', name: record, namespace: this.namespace }
        : { apiVersion: 'v1', kind: 'Pod', name: this.podName, namespace: this.namespace },
      reason: REASONS[entry.event],
      message: describe(entry),
      type: entry.event === 'refused' || entry.event === 'denied' ? 'Warning' : 'Normal',
      count: 1,
      firstTimestamp: stamp,
      lastTimestamp: stamp,
      source: { component: 'smsgate-ca' },
    });
  }

  /**
   * The admin API's query, newest first. Sequences are positions in the Events the API server still
   * holds (oldest 1): stable while none expires, so a `beforeSequence` cursor may skip or repeat
   * entries across an expiry.
   */
  async query(filter: AuditFilter): Promise<StoredAuditEntry[]> {
    const all = await this.list({ ...(filter.requestId ? { requestId: filter.requestId } : {}), limit: Number.MAX_SAFE_INTEGER });
    return all
      .filter((entry) => filter.serialNumber === undefined || entry.serialNumber === filter.serialNumber)
      .filter((entry) => filter.event === undefined || entry.event === filter.event)
      .filter((entry) => filter.beforeSequence === undefined || entry.sequence < filter.beforeSequence)
      .reverse()
      .slice(0, filter.limit);
  }

  async list(filter: { readonly requestId?: string; readonly limit?: number } = {}): Promise<StoredAuditEntry[]> {
    const selector = [`${LABELS.audit}=true`, ...(filter.requestId ? [`ca.sms-gate.app/request-id=${filter.requestId}`] : [])].join(',');
    const { items } = await this.events.listAll(this.namespace, { labelSelector: selector });
    const entries = items
      .map((event) => parseEntry(event.metadata.annotations?.[ANNOTATIONS.audit]))
      .filter((entry): entry is WrittenEntry => entry !== undefined)
      // Entries written in the same millisecond (an approval carried out with its signing) in lifecycle order.
      .sort((a, b) => a.at.getTime() - b.at.getTime() || LIFECYCLE.indexOf(a.event) - LIFECYCLE.indexOf(b.event));
    return entries.slice(0, filter.limit ?? 1000).map((entry, index) => ({ ...entry, sequence: index + 1 }));
  }
}

function describe(entry: WrittenEntry): string {
  const parts = [`${entry.event} via ${entry.door} for ${entry.requester}`];
  if (entry.ips?.length) parts.push(`IPs ${entry.ips.join(', ')}`);
  if (entry.serialNumber) parts.push(`serial ${entry.serialNumber}`);
  if (entry.requestId) parts.push(`request ${entry.requestId}`);
  if (entry.detail) parts.push(entry.detail);
  return parts.join('; ').slice(0, 1024);
}

function parseEntry(text: string | undefined): WrittenEntry | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as WrittenEntry & { at: string };
    return { ...parsed, at: new Date(parsed.at) };
  } catch {
    return undefined;
  }
}
