import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { renderChart } from './helmTemplate.js';
import { assertEnvAccepted, infra, which } from './support.js';

/**
 * The chart rendered without helm (helmTemplate.ts covers the template subset it uses) and checked
 * as data: a StatefulSet of nodes named by their pods, each announcing its own node's address and
 * RTC ports, sharing Redis and one data volume, behind a cookie-sticky Ingress. Where helm is
 * installed (or HELM_BIN names it; the test command fetches one, test/infra/ensure-helm.sh), `helm lint`
 * runs and `helm template` must agree with the renderer.
 */
const chartDir = infra('helm/sightline');
const values = parse(readFileSync(path.join(chartDir, 'values.yaml'), 'utf8')) as Record<string, any>;
const helm = process.env['HELM_BIN'] || which('helm');

const find = (docs: Record<string, any>[], kind: string, name?: string) => docs.find((d) => d['kind'] === kind && (name === undefined || d['metadata']?.name === name));
const envOf = (container: any) => Object.fromEntries(container.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));
const sightline = (docs: Record<string, any>[]) => find(docs, 'StatefulSet')!.spec.template.spec.containers[0];

/** Alternative values that flip every conditional in the chart. */
const ALTERNATIVE = {
  replicas: 3,
  announcedIp: '198.51.100.7',
  workers: 3,
  redis: { enabled: false, url: 'redis://redis.example:6379' },
  ingress: { enabled: false },
  persistence: { existingClaim: 'evidence', storageClass: 'nfs' },
};

describe('Helm chart', () => {
  const docs = renderChart(chartDir);

  it('needs no chart dependencies (nothing to download) and runs several nodes by default', () => {
    const chart = parse(readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    expect(chart['apiVersion']).toBe('v2');
    expect(chart['dependencies'] ?? []).toEqual([]);
    expect(values['replicas']).toBeGreaterThanOrEqual(2);
    const sts = find(docs, 'StatefulSet')!;
    expect(sts.spec.replicas).toBe(values['replicas']);
    expect(find(renderChart(chartDir, { replicas: 5 }), 'StatefulSet')!.spec.replicas).toBe(5);
  });

  it('names each node by its pod, probes /healthz and sets the env the server accepts', () => {
    const container = sightline(docs);
    const env = envOf(container);
    expect(env['NODE_ID']).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(env['JWT_SECRET']).toEqual({ secretKeyRef: { name: values['existingSecret'], key: 'JWT_SECRET' } });
    expect(env['DATA_DIR']).toBe('/data');
    expect(container.readinessProbe.httpGet.path).toBe('/healthz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.resources.limits.memory).toBeDefined();
    assertEnvAccepted(Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>);
    const sts = find(docs, 'StatefulSet')!;
    const headless = find(docs, 'Service', sts.spec.serviceName);
    expect(headless?.spec.clusterIP).toBe('None');
  });

  it('exposes every worker RTC port on the pod’s node (UDP and TCP) and announces that node’s IP', () => {
    for (const [overrides, announced] of [[{}, { fieldRef: { fieldPath: 'status.hostIP' } }], [ALTERNATIVE, ALTERNATIVE.announcedIp]] as const) {
      const rendered = renderChart(chartDir, overrides);
      const container = sightline(rendered);
      const { rtcPort, workers } = { ...values, ...overrides } as { rtcPort: number; workers: number };
      const hostPorts = container.ports.filter((p: { hostPort?: number }) => p.hostPort !== undefined);
      for (let port = rtcPort; port < rtcPort + workers; port++) {
        for (const protocol of ['UDP', 'TCP']) expect(hostPorts).toContainEqual(expect.objectContaining({ containerPort: port, hostPort: port, protocol }));
      }
      expect(hostPorts).toHaveLength(2 * workers);
      const env = envOf(container);
      expect(env['RTC_ANNOUNCED_IP']).toEqual(announced);
      expect(env['RTC_PORT']).toBe(String(rtcPort));
      expect(env['MEDIASOUP_WORKERS']).toBe(String(workers));
      const antiAffinity = find(rendered, 'StatefulSet')!.spec.template.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution;
      expect(antiAffinity[0].topologyKey).toBe('kubernetes.io/hostname');
    }
  });

  it('shares one ReadWriteMany data claim across pods', () => {
    const volume = find(docs, 'StatefulSet')!.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'data');
    expect(find(docs, 'StatefulSet')!.spec.volumeClaimTemplates).toBeUndefined();
    const pvc = find(docs, 'PersistentVolumeClaim', volume.persistentVolumeClaim.claimName)!;
    expect(pvc.spec.accessModes).toEqual(['ReadWriteMany']);
    const alt = renderChart(chartDir, ALTERNATIVE);
    expect(find(alt, 'StatefulSet')!.spec.template.spec.volumes[0].persistentVolumeClaim.claimName).toBe('evidence');
    expect(find(alt, 'PersistentVolumeClaim', 'sightline-data')).toBeUndefined();
  });

  it('brings its own Redis when redis.enabled, else uses redis.url (and requires it)', () => {
    const redisUrl = new URL(envOf(sightline(docs))['REDIS_URL'] as string);
    const svc = find(docs, 'Service', redisUrl.hostname)!;
    expect(svc.spec.ports[0].port).toBe(Number(redisUrl.port));
    expect(find(docs, 'Deployment', redisUrl.hostname)!.spec.template.spec.containers[0].readinessProbe).toBeDefined();
    const alt = renderChart(chartDir, ALTERNATIVE);
    expect(envOf(sightline(alt))['REDIS_URL']).toBe(ALTERNATIVE.redis.url);
    expect(find(alt, 'Deployment')).toBeUndefined();
    expect(() => renderChart(chartDir, { redis: { enabled: false, url: '' } })).toThrow(/redis.url is required/);
  });

  it('routes the public URL through an Ingress with cookie affinity to the http Service', () => {
    const ingress = find(docs, 'Ingress')!;
    expect(ingress.metadata.annotations['nginx.ingress.kubernetes.io/affinity']).toBe('cookie');
    expect(Number.parseInt(ingress.metadata.annotations['nginx.ingress.kubernetes.io/proxy-body-size'], 10)).toBeGreaterThanOrEqual(12);
    const rule = ingress.spec.rules[0];
    expect(rule.host).toBe(new URL(values['publicUrl']).host);
    expect(ingress.spec.tls[0].hosts).toContain(rule.host);
    const backend = rule.http.paths[0].backend.service;
    const svc = find(docs, 'Service', backend.name)!;
    expect(svc.spec.ports.map((p: { name: string }) => p.name)).toContain(backend.port.name);
    expect(svc.spec.selector).toEqual(find(docs, 'StatefulSet')!.spec.selector.matchLabels);
    expect(find(renderChart(chartDir, ALTERNATIVE), 'Ingress')).toBeUndefined();
  });

  it.skipIf(!helm)('passes helm lint, and helm template agrees with this renderer', () => {
    const lint = spawnSync(helm!, ['lint', chartDir], { encoding: 'utf8' });
    expect(lint.status, lint.stdout + lint.stderr).toBe(0);
    const dir = mkdtempSync(path.join(tmpdir(), 'sightline-helm-'));
    try {
      for (const overrides of [{}, ALTERNATIVE]) {
        const file = path.join(dir, 'values.yaml');
        writeFileSync(file, stringify(overrides));
        const out = spawnSync(helm!, ['template', 'sightline', chartDir, '-f', file], { encoding: 'utf8' });
        expect(out.status, out.stderr).toBe(0);
        const byHelm = parseAllDocuments(out.stdout).map((d) => d.toJSON()).filter(Boolean);
        const key = (d: Record<string, any>) => `${d['kind']}/${d['metadata'].name}`;
        const sorted = (ds: Record<string, any>[]) => [...ds].sort((a, b) => key(a).localeCompare(key(b)));
        expect(sorted(renderChart(chartDir, overrides))).toEqual(sorted(byHelm));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
