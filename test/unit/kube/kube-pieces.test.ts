import { describe, expect, it } from 'vitest';
import { EventRecorder } from '../../../src/kube/event-recorder.js';
import { apiError } from '../../../src/kube/kube-http-client.js';
import { isAlreadyExists, isConflict, isGone, isNotFound } from '../../../src/kube/kube-errors.js';
import { keyOf, objectKey, splitKey } from '../../../src/kube/kube-object.js';
import { resourcePath, SECRETS } from '../../../src/kube/resource-types.js';
import { CERTIFICATE_REQUESTS, IP_CLUSTER_ISSUERS } from '../../../src/custom-resources/resource-types.js';
import { WatchLineDecoder } from '../../../src/kube/watch-lines.js';
import { MemoryKubeApi } from './memory-kube-api.js';

describe('resource paths', () => {
  it('builds core, group, namespaced, cluster-scoped and subresource paths', () => {
    expect(resourcePath(SECRETS)).toBe('/api/v1/secrets');
    expect(resourcePath(SECRETS, 'ns', 'a')).toBe('/api/v1/namespaces/ns/secrets/a');
    expect(resourcePath(CERTIFICATE_REQUESTS, 'ns', 'r', 'status')).toBe('/apis/smsgate-ca.sms-gate.app/v1alpha1/namespaces/ns/certificaterequests/r/status');
    expect(resourcePath(IP_CLUSTER_ISSUERS, 'ignored', 'c')).toBe('/apis/smsgate-ca.sms-gate.app/v1alpha1/ipclusterissuers/c');
  });

  it('keys objects as namespace/name', () => {
    expect(objectKey('ns', 'a')).toBe('ns/a');
    expect(objectKey(undefined, 'a')).toBe('a');
    expect(keyOf({ metadata: { namespace: 'ns', name: 'b' } })).toBe('ns/b');
    expect(splitKey('ns/a')).toEqual({ namespace: 'ns', name: 'a' });
    expect(splitKey('a')).toEqual({ namespace: undefined, name: 'a' });
  });
});

describe('API errors', () => {
  it('reads the Status reason and classifies it', () => {
    const conflict = apiError(409, JSON.stringify({ kind: 'Status', reason: 'Conflict', message: 'the object has been modified' }), 'PUT', '/x');
    expect(isConflict(conflict)).toBe(true);
    expect(conflict.message).toContain('the object has been modified');
    const exists = apiError(409, JSON.stringify({ reason: 'AlreadyExists', message: 'exists' }), 'POST', '/x');
    expect(isAlreadyExists(exists) && !isConflict(exists)).toBe(true);
    expect(isGone(apiError(410, 'gone', 'GET', '/x'))).toBe(true);
    expect(isNotFound(apiError(404, '', 'GET', '/x'))).toBe(true);
  });
});

describe('watch stream decoding', () => {
  it('splits events across chunk boundaries', () => {
    const decoder = new WatchLineDecoder();
    const line = (name: string) => JSON.stringify({ type: 'ADDED', object: { metadata: { name } } });
    const text = `${line('a')}\n${line('b')}\n`;
    const events = [...decoder.push(text.slice(0, 10)), ...decoder.push(text.slice(10, 50)), ...decoder.push(text.slice(50))];
    expect(events.map((event) => (event.object as { metadata: { name: string } }).metadata.name)).toEqual(['a', 'b']);
    expect(() => new WatchLineDecoder().push('{"type":"WHAT"}\n')).toThrow(/unexpected watch event/);
  });
});

describe('EventRecorder', () => {
  it('writes core/v1 Events and folds repeats into a count', async () => {
    const api = new MemoryKubeApi();
    let now = new Date('2026-01-01T00:00:00Z');
    const recorder = new EventRecorder({ api, component: 'smsgate-ca', instance: 'pod-0', clock: { now: () => now } });
    const object = { apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'CertificateRequest', name: 'web', namespace: 'default', uid: 'u1' };
    recorder.record(object, 'Warning', 'PolicyViolation', '8.8.8.8 is public');
    await recorder.flush();
    now = new Date('2026-01-01T00:01:00Z');
    recorder.record(object, 'Warning', 'PolicyViolation', '8.8.8.8 is public');
    recorder.record(object, 'Normal', 'Issued', 'Issued certificate 01');
    await recorder.flush();
    const events = [...api.objects.values()] as unknown as Array<{ reason: string; count: number; involvedObject: { name: string }; lastTimestamp: string; type: string }>;
    expect(events).toHaveLength(2);
    const warning = events.find((event) => event.reason === 'PolicyViolation')!;
    expect(warning).toMatchObject({ count: 2, type: 'Warning', involvedObject: { name: 'web' }, lastTimestamp: '2026-01-01T00:01:00Z' });
  });
});
