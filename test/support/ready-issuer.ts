import type { Operator } from '../../src/controller/operator.js';
import type { ControllerHarness } from './controller-harness.js';

/** Starts the operator, waits for its caches, then creates IPIssuer `default/ip-issuer` and waits until it is Ready. */
export async function startWithReadyIssuer(h: ControllerHarness, operator: Operator): Promise<void> {
  await operator.start();
  await operator.synced();
  await h.apply(JSON.stringify({ apiVersion: 'smsgate-ca.sms-gate.app/v1alpha1', kind: 'IPIssuer', metadata: { name: 'ip-issuer', namespace: 'default' }, spec: {} }));
  await h.kubectlOk('wait', '--for=condition=Ready', '--timeout=30s', 'ipissuers.smsgate-ca.sms-gate.app/ip-issuer');
}
