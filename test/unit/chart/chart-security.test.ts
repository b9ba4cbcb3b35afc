import { describe, expect, it } from 'vitest';
import { helmTemplate, type Manifest } from '../../support/helm.js';
import {
  ALL_FEATURES,
  NAMESPACE,
  bindingsOf,
  byKind,
  containerOf,
  deploymentOf,
  only,
  rolesOf,
  type Container,
  type PodSpec,
  type Pod,
  type PolicyRule,
  type RbacRole,
} from './chart-fixtures.js';

const RENDERINGS: [string, Manifest[]][] = [
  ['default values', helmTemplate()],
  ['every feature on', helmTemplate({ values: [ALL_FEATURES] })],
];

function expectHardenedPod(spec: PodSpec, what: string): void {
  expect(spec.securityContext, what).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
  expect(spec.securityContext?.runAsUser, what).toBe(65532);
  expect([spec.hostNetwork, spec.hostPID, spec.hostIPC].filter(Boolean), what).toEqual([]);
  for (const container of spec.containers) expectHardenedContainer(container, `${what} ${container.name}`);
}

function expectHardenedContainer(container: Container, what: string): void {
  const context = container.securityContext;
  expect(context, what).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  expect(context?.capabilities?.add, what).toBeUndefined();
  expect(context?.privileged, what).not.toBe(true);
}

function rulesGranting(roles: readonly RbacRole[], group: string, resource: string): PolicyRule[] {
  return roles.flatMap((role) => role.rules).filter((rule) => rule.apiGroups?.includes(group) && rule.resources?.includes(resource));
}

describe.each(RENDERINGS)('rendered manifests (%s)', (_label, manifests) => {
  it('run the server pod hardened: non-root 65532, RuntimeDefault seccomp, read-only root, no privileges', () => {
    expectHardenedPod(deploymentOf(manifests).spec.template.spec, 'Deployment');
  });

  it('run the helm test pod just as hardened, without a service account token', () => {
    const pod = only(manifests, 'Pod') as Pod;
    expect(pod.metadata.annotations?.['helm.sh/hook']).toBe('test');
    expectHardenedPod(pod.spec, 'test Pod');
    expect(pod.spec.automountServiceAccountToken).toBe(false);
  });

  it('give the read-only container writable /data and /tmp volumes, and nothing else writable', () => {
    const spec = deploymentOf(manifests).spec.template.spec;
    const mounts = containerOf(manifests).volumeMounts ?? [];
    expect(mounts.find((mount) => mount.mountPath === '/data')?.name).toBe('data');
    expect(mounts.find((mount) => mount.mountPath === '/tmp')?.name).toBe('tmp');
    const tmp = spec.volumes?.find((volume) => volume.name === 'tmp');
    expect(tmp?.emptyDir).toBeDefined();
    const writable = mounts.filter((mount) => !mount.readOnly).map((mount) => mount.mountPath);
    expect(writable.sort()).toEqual(['/data', '/tmp']);
  });

  it('probe liveness on /healthz and readiness on /readyz through the named container port', () => {
    const container = containerOf(manifests);
    const portName = container.ports?.[0]?.name;
    expect(container.ports?.[0]).toEqual({ name: 'https', containerPort: 8443, protocol: 'TCP' });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: portName, scheme: 'HTTPS' });
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: portName, scheme: 'HTTPS' });
  });

  it('have a helm test that checks /healthz and the ACME directory through the Service, verifying TLS', () => {
    const pod = only(manifests, 'Pod') as Pod;
    const [check] = pod.spec.containers;
    const script = check?.args?.join('\n') ?? '';
    expect(script).toContain("get('/healthz')");
    expect(script).toContain("get('/acme/directory')");
    expect(script).toMatch(/newNonce.*newAccount.*newOrder/);
    expect(script).not.toMatch(/rejectUnauthorized|NODE_TLS_REJECT_UNAUTHORIZED/);
    expect(check?.env?.find((item) => item.name === 'BASE_URL')?.value).toBe(`https://smsgate-ca.${NAMESPACE}.svc`);
    expect(pod.spec.volumes?.[0]?.secret?.secretName).toBeTruthy();
  });

  it('balances every request over the server pods: no session affinity (ACME state is shared), selecting the server pods', () => {
    const service = only(manifests, 'Service', 'smsgate-ca') as Manifest & { spec: { sessionAffinity?: string; sessionAffinityConfig?: unknown; selector: Record<string, string>; ports: { targetPort: string }[] } };
    expect(service.spec.sessionAffinity).toBeUndefined();
    expect(service.spec.sessionAffinityConfig).toBeUndefined();
    expect(deploymentOf(manifests).spec.template.metadata.labels).toMatchObject(service.spec.selector);
    expect(service.spec.ports[0]?.targetPort).toBe(containerOf(manifests).ports?.[0]?.name);
  });

  it('select the server pods with the Deployment, PDB, both Services and (when on) NetworkPolicy; the ServiceMonitor selects the metrics Service alone', () => {
    const podLabels = deploymentOf(manifests).spec.template.metadata.labels;
    const selectors = [
      deploymentOf(manifests).spec.selector.matchLabels,
      ...byKind(manifests, 'PodDisruptionBudget').map((pdb) => (pdb as unknown as { spec: { selector: { matchLabels: object } } }).spec.selector.matchLabels),
      ...byKind(manifests, 'NetworkPolicy').map((policy) => (policy as unknown as { spec: { podSelector: { matchLabels: object } } }).spec.podSelector.matchLabels),
      ...byKind(manifests, 'Service').map((service) => (service as unknown as { spec: { selector: object } }).spec.selector),
    ];
    for (const selector of selectors) expect(podLabels).toMatchObject(selector);
    const monitorSelector = (only(helmTemplate({ values: [ALL_FEATURES] }), 'ServiceMonitor') as unknown as { spec: { selector: { matchLabels: Record<string, string> } } }).spec.selector.matchLabels;
    const selected = byKind(manifests, 'Service').filter((service) => Object.entries(monitorSelector).every(([key, value]) => service.metadata.labels?.[key] === value));
    expect(selected.map((service) => service.metadata.name)).toEqual(['smsgate-ca-metrics']);
    expect((only(manifests, 'Pod') as Pod).metadata.labels?.['app.kubernetes.io/component']).toBe('test');
  });

  describe('RBAC', () => {
    const roles = rolesOf(manifests);

    it('uses no wildcard verbs, resources or API groups, and no escalation verbs', () => {
      expect(roles.length).toBeGreaterThan(0);
      for (const role of roles) {
        for (const rule of role.rules) {
          const where = `${role.kind} ${role.metadata.name}`;
          expect(rule.verbs, where).not.toContain('*');
          expect(rule.resources ?? [], where).not.toContain('*');
          expect(rule.apiGroups ?? [], where).not.toContain('*');
          expect(rule.nonResourceURLs, where).toBeUndefined();
          for (const verb of ['escalate', 'bind', 'impersonate']) expect(rule.verbs, where).not.toContain(verb);
          for (const resource of rule.resources ?? []) expect(resource, where).not.toContain('*');
        }
      }
    });

    it('never lets the operator delete Secrets (garbage collection follows owner references)', () => {
      for (const rule of rulesGranting(roles, '', 'secrets')) expect(rule.verbs).not.toContain('delete');
    });

    it('grants the controller what it reconciles, and no more', () => {
      const controller = only(manifests, 'ClusterRole', 'smsgate-ca-controller') as RbacRole;
      const verbsFor = (group: string, resource: string) =>
        rulesGranting([controller], group, resource).flatMap((rule) => rule.verbs).sort();
      expect(verbsFor('smsgate-ca.sms-gate.app', 'certificaterequests')).toEqual(['create', 'get', 'list', 'patch', 'watch']);
      expect(verbsFor('smsgate-ca.sms-gate.app', 'ipclusterissuers')).toEqual(['get', 'list', 'watch']);
      expect(verbsFor('smsgate-ca.sms-gate.app', 'certificaterequests/status')).toEqual(['patch']);
      // Only owner references with blockOwnerDeletion need it: granted with controller.secretOwnerReferences alone.
      expect(verbsFor('smsgate-ca.sms-gate.app', 'certificaterequests/finalizers')).toEqual([]);
      const owning = only(helmTemplate({ values: [{ controller: { secretOwnerReferences: true } }] }), 'ClusterRole', 'smsgate-ca-controller') as RbacRole;
      expect(rulesGranting([owning], 'smsgate-ca.sms-gate.app', 'certificaterequests/finalizers').flatMap((rule) => rule.verbs)).toEqual(['update']);
      expect(verbsFor('', 'secrets')).toEqual(['create', 'get', 'list', 'patch', 'update', 'watch']);
      expect(verbsFor('cert-manager.io', 'certificaterequests')).toEqual(['get', 'list', 'watch']);
      expect(verbsFor('cert-manager.io', 'certificaterequests/status')).toEqual(['patch']);
      expect(verbsFor('', 'events')).toEqual(['create', 'patch']);
      expect(verbsFor('events.k8s.io', 'events')).toEqual([]);
      expect(verbsFor('coordination.k8s.io', 'leases')).toEqual([]);
    });

    it('limits the namespaced Roles to the CA Secret, its record ConfigMap and the Lease by name', () => {
      const caRole = only(manifests, 'Role', 'smsgate-ca-ca') as RbacRole;
      expect(caRole.metadata.namespace).toBe(NAMESPACE);
      const named = caRole.rules.filter((rule) => rule.resourceNames);
      const caSecret = named.find((rule) => rule.resources?.includes('secrets'))?.resourceNames?.[0] ?? '';
      expect(named.map((rule) => [rule.resources, rule.resourceNames, [...rule.verbs].sort()])).toEqual([
        [['secrets'], [caSecret], ['get', 'patch']],
        [['configmaps'], [`${caSecret}-record`], ['get', 'patch']],
      ]);
      for (const rule of caRole.rules.filter((item) => !item.resourceNames)) expect(rule.verbs).toEqual(['create']);

      const election = only(manifests, 'Role', 'smsgate-ca-leader-election') as RbacRole;
      const leaseRules = rulesGranting([election], 'coordination.k8s.io', 'leases');
      expect(leaseRules.find((rule) => rule.resourceNames)?.verbs.sort()).toEqual(['get', 'update']);
      expect(leaseRules.find((rule) => !rule.resourceNames)?.verbs).toEqual(['create']);
    });

    it('grants the ACME state in the release namespace only, without watch, and deletes only what expires', () => {
      const state = only(manifests, 'Role', 'smsgate-ca-state') as RbacRole;
      expect(state.metadata.namespace).toBe(NAMESPACE);
      const verbsFor = (resource: string) => rulesGranting([state], 'smsgate-ca.sms-gate.app', resource).flatMap((rule) => rule.verbs).sort();
      expect(verbsFor('acmeaccounts')).toEqual(['create', 'get', 'list', 'update']);
      expect(verbsFor('acmeorders')).toEqual(['create', 'delete', 'get', 'list', 'update']);
      expect(verbsFor('acmeauthorizations')).toEqual(['create', 'delete', 'get', 'list', 'update']);
      expect(verbsFor('acmereservations')).toEqual(['create', 'delete', 'deletecollection', 'get', 'update']);
      // store.recordRetention (default 720h): the leader deletes expired records of the release namespace.
      expect(verbsFor('certificaterequests')).toEqual(['delete']);
      const controller = only(manifests, 'ClusterRole', 'smsgate-ca-controller') as RbacRole;
      for (const rule of rulesGranting([controller], 'smsgate-ca.sms-gate.app', 'certificaterequests')) expect(rule.verbs).not.toContain('delete');
    });

    it('binds every role to the chart ServiceAccount, and every binding to a rendered role', () => {
      const serviceAccount = only(manifests, 'ServiceAccount');
      const bindings = bindingsOf(manifests).filter((binding) => !binding.metadata.name.endsWith('cert-manager-approver'));
      for (const binding of bindings) {
        const role = roles.find((item) => item.kind === binding.roleRef.kind && item.metadata.name === binding.roleRef.name);
        expect(role, binding.metadata.name).toBeDefined();
        if (binding.kind === 'RoleBinding') expect(binding.metadata.namespace).toBe(role?.metadata.namespace);
        expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: NAMESPACE }]);
      }
      const aggregated = roles.filter((role) => role.metadata.labels?.['rbac.authorization.k8s.io/aggregate-to-edit']);
      expect(aggregated.map((role) => role.metadata.name).sort()).toEqual(['smsgate-ca-edit', 'smsgate-ca-view']);
    });

    it('lets cert-manager approve requests for our issuers only: approve on signers of our two kinds', () => {
      const approver = only(manifests, 'ClusterRole', 'smsgate-ca-cert-manager-approver') as RbacRole;
      expect(approver.rules).toEqual([
        {
          apiGroups: ['cert-manager.io'],
          resources: ['signers'],
          verbs: ['approve'],
          resourceNames: ['ipissuers.smsgate-ca.sms-gate.app/*', 'ipclusterissuers.smsgate-ca.sms-gate.app/*'],
        },
      ]);
      const binding = only(manifests, 'ClusterRoleBinding', 'smsgate-ca-cert-manager-approver');
      expect(binding).toMatchObject({
        roleRef: { kind: 'ClusterRole', name: 'smsgate-ca-cert-manager-approver' },
        subjects: [{ kind: 'ServiceAccount', name: 'cert-manager', namespace: 'cert-manager' }],
      });
    });
  });
});

describe('RBAC options', () => {
  it('binds the approver to a configurable cert-manager ServiceAccount', () => {
    const manifests = helmTemplate({ set: ['certManager.approver.serviceAccount.name=cm', 'certManager.approver.serviceAccount.namespace=security'] });
    expect(only(manifests, 'ClusterRoleBinding', 'smsgate-ca-cert-manager-approver')).toMatchObject({
      subjects: [{ kind: 'ServiceAccount', name: 'cm', namespace: 'security' }],
    });
  });

  it('renders no approver with certManager.approver.enabled=false, and no cert-manager rules without certManager', () => {
    const noApprover = helmTemplate({ set: ['certManager.approver.enabled=false'] });
    expect(rolesOf(noApprover).map((role) => role.metadata.name)).not.toContain('smsgate-ca-cert-manager-approver');
    const noCertManager = helmTemplate({ set: ['certManager.enabled=false'] });
    expect(rulesGranting(rolesOf(noCertManager), 'cert-manager.io', 'certificaterequests')).toEqual([]);
    expect(containerOf(noCertManager).args).not.toContain('--cert-manager');
  });

  it('does not grant Secret creation in the release namespace when the CA is brought along', () => {
    const caRole = only(helmTemplate({ values: [ALL_FEATURES] }), 'Role', 'smsgate-ca-ca') as RbacRole;
    expect(caRole.rules).toEqual([
      { apiGroups: [''], resources: ['secrets'], resourceNames: ['lab-ca'], verbs: ['get', 'patch'] },
      { apiGroups: [''], resources: ['configmaps'], verbs: ['create'] },
      { apiGroups: [''], resources: ['configmaps'], resourceNames: ['lab-ca-record'], verbs: ['get', 'patch'] },
    ]);
  });

  it('puts the Lease Role in the leader-election namespace and the trust Role beside the trust ConfigMap', () => {
    const manifests = helmTemplate({ values: [ALL_FEATURES] });
    expect(only(manifests, 'Role', 'smsgate-ca-leader-election').metadata.namespace).toBe('kube-system');
    expect(only(manifests, 'RoleBinding', 'smsgate-ca-leader-election').metadata.namespace).toBe('kube-system');
    const trust = only(manifests, 'Role', 'smsgate-ca-trust') as RbacRole;
    expect(trust.metadata.namespace).toBe('cert-manager');
    expect(trust.rules.find((rule) => rule.resourceNames)?.resourceNames).toEqual(['smsgate-ca-root-ca']);
  });

  it('renders no RBAC and no ServiceAccount when both are switched off', () => {
    const manifests = helmTemplate({ set: ['rbac.create=false', 'serviceAccount.create=false', 'serviceAccount.name=existing'] });
    expect(rolesOf(manifests)).toEqual([]);
    expect(bindingsOf(manifests)).toEqual([]);
    expect(byKind(manifests, 'ServiceAccount')).toEqual([]);
    expect(deploymentOf(manifests).spec.template.spec.serviceAccountName).toBe('existing');
  });
});
