import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { renderChart } from './helmTemplate.js';
import { redisAnswersWithoutPassword } from './network.js';
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

const find = (docs: Record<string, any>[], kind: string, name?: string) =>
  docs.find((d) => d['kind'] === kind && (name === undefined || d['metadata']?.name === name));
const envOf = (container: any) =>
  Object.fromEntries(container.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));
const sightline = (docs: Record<string, any>[]) => find(docs, 'StatefulSet')!.spec.template.spec.containers[0];

/** What an operator must set besides the defaults: the Ingress controller's pod range (required with the Ingress). */
const BASE = { trustProxy: '10.244.3.0/24' };

/** Alternative values that flip every conditional in the chart. */
const ALTERNATIVE = {
  networkPolicy: { enabled: false },
  replicas: 3,
  announcedIp: '198.51.100.7',
  workers: 3,
  redis: { enabled: false, url: 'redis://redis.example:6379' },
  ingress: { enabled: false },
  persistence: { existingClaim: 'evidence', storageClass: 'nfs' },
};

describe('Helm chart', () => {
  const docs = renderChart(chartDir, BASE);

  it('needs no chart dependencies (nothing to download) and runs several nodes by default', () => {
    const chart = parse(readFileSync(path.join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
    expect(chart['apiVersion']).toBe('v2');
    expect(chart['dependencies'] ?? []).toEqual([]);
    expect(values['replicas']).toBeGreaterThanOrEqual(2);
    const sts = find(docs, 'StatefulSet')!;
    expect(sts.spec.replicas).toBe(values['replicas']);
    expect(find(renderChart(chartDir, { ...BASE, replicas: 5 }), 'StatefulSet')!.spec.replicas).toBe(5);
  });

  it('names each node by its pod, probes /healthz and sets the env the server accepts', () => {
    const container = sightline(docs);
    const env = envOf(container);
    expect(env['NODE_ID']).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(env['JWT_SECRET']).toEqual({ secretKeyRef: { name: values['existingSecret'], key: 'JWT_SECRET' } });
    expect(env['DATA_DIR']).toBe('/data');
    // The log checkpoint key comes from the secret, mounted outside the data volume (issue #11 item 4).
    expect(env['CHECKPOINT_KEY_FILE']).toBe('/run/sightline/checkpoint-key.pem');
    const keyVolume = find(docs, 'StatefulSet')!.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'checkpoint-key');
    expect(keyVolume.secret).toMatchObject({ secretName: values['existingSecret'], items: [{ key: 'CHECKPOINT_KEY', path: 'checkpoint-key.pem' }] });
    expect(container.readinessProbe.httpGet.path).toBe('/healthz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.resources.limits.memory).toBeDefined();
    assertEnvAccepted(Object.fromEntries(Object.entries(env).filter(([, v]) => typeof v === 'string')) as Record<string, string>);
    const sts = find(docs, 'StatefulSet')!;
    const headless = find(docs, 'Service', sts.spec.serviceName);
    expect(headless?.spec.clusterIP).toBe('None');
  });

  it('exposes every worker RTC port on the pod’s node (UDP and TCP) and announces that node’s IP', () => {
    for (const [overrides, announced] of [
      [BASE, { fieldRef: { fieldPath: 'status.hostIP' } }],
      [ALTERNATIVE, ALTERNATIVE.announcedIp],
    ] as const) {
      const rendered = renderChart(chartDir, overrides);
      const container = sightline(rendered);
      const { rtcPort, workers } = { ...values, ...overrides } as unknown as { rtcPort: number; workers: number };
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

  it('believes X-Forwarded-For only from the Ingress controller the operator names: required, never uniquelocal (issue #11)', () => {
    expect(values['trustProxy'], 'no default that trusts a whole private range').toBe('');
    expect(() => renderChart(chartDir)).toThrow(/trustProxy is required/);
    expect(envOf(sightline(docs))['TRUST_PROXY']).toBe(BASE.trustProxy);
    expect(envOf(sightline(renderChart(chartDir, ALTERNATIVE)))['TRUST_PROXY']).toBeUndefined();
  });

  it('makes its Redis ask for REDIS_PASSWORD from the secret, and puts it in the nodes’ REDIS_URL (issue #11)', () => {
    const redis = find(docs, 'Deployment', 'sightline-redis')!.spec.template.spec.containers[0];
    const secretRef = { secretKeyRef: { name: values['existingSecret'], key: 'REDIS_PASSWORD' } };
    expect(envOf(redis)['REDIS_PASSWORD']).toEqual(secretRef);
    expect(redis.args.slice(redis.args.indexOf('--requirepass'))).toEqual(['--requirepass', '$(REDIS_PASSWORD)']);
    for (const probe of [redis.readinessProbe, redis.livenessProbe]) expect(probe.exec.command.join(' ')).toContain('REDISCLI_AUTH="$REDIS_PASSWORD"');
    const names = sightline(docs).env.map((e: { name: string }) => e.name);
    expect(names.indexOf('REDIS_PASSWORD'), 'defined before REDIS_URL expands it').toBeLessThan(names.indexOf('REDIS_URL'));
    expect(envOf(sightline(docs))['REDIS_PASSWORD']).toEqual(secretRef);
    expect(envOf(sightline(docs))['REDIS_URL']).toBe('redis://:$(REDIS_PASSWORD)@sightline-redis:6379');
  });

  it.skipIf(!which('redis-server'))('runs a Redis that refuses a client without the password (real redis-server, the chart’s args)', async () => {
    const password = 'e'.repeat(64);
    const redis = find(docs, 'Deployment', 'sightline-redis')!.spec.template.spec.containers[0];
    const args = (redis.args as string[]).map((a) => a.replace('$(REDIS_PASSWORD)', password));
    expect(await redisAnswersWithoutPassword(args, password)).toEqual({ anonymous: expect.stringMatching(/^-NOAUTH/), authenticated: '+PONG' });
  });

  it('lets only Sightline pods reach Redis, and only the Ingress controller reach Sightline’s HTTP port (issue #11)', () => {
    const policies = docs.filter((d) => d['kind'] === 'NetworkPolicy');
    const sts = find(docs, 'StatefulSet')!;
    const redisPods = find(docs, 'Deployment', 'sightline-redis')!.spec.template.metadata.labels;
    const sightlinePods = sts.spec.template.metadata.labels;
    const selecting = (labels: Record<string, string>) =>
      policies.filter((p) => Object.entries(p['spec'].podSelector.matchLabels).every(([k, v]) => labels[k] === v));

    const [redisPolicy, ...moreRedis] = selecting(redisPods);
    expect(moreRedis).toEqual([]);
    expect(redisPolicy!['spec'].policyTypes).toContain('Ingress');
    expect(redisPolicy!['spec'].ingress).toEqual([{ from: [{ podSelector: { matchLabels: sightlinePods } }], ports: [{ port: 'redis', protocol: 'TCP' }] }]);

    const [nodePolicy, ...moreNode] = selecting(sightlinePods);
    expect(moreNode).toEqual([]);
    expect(nodePolicy!['spec'].policyTypes).toContain('Ingress');
    const rules = nodePolicy!['spec'].ingress as { from?: unknown[]; ports: { port: string | number; protocol: string }[] }[];
    const httpRules = rules.filter((r) => r.ports.some((p) => p.port === 'http'));
    expect(httpRules).toEqual([{ from: [{ ...values['networkPolicy'].ingressController }], ports: [{ port: 'http', protocol: 'TCP' }] }]);
    // Open to anyone: the RTC ports only (callers' media), every one of them.
    const open = rules.filter((r) => !r.from).flatMap((r) => r.ports);
    const rtc = sightline(docs)
      .ports.filter((p: { hostPort?: number }) => p.hostPort !== undefined)
      .map((p: { containerPort: number; protocol: string }) => ({ port: p.containerPort, protocol: p.protocol }));
    expect(open).toEqual(rtc);

    expect(renderChart(chartDir, ALTERNATIVE).filter((d) => d['kind'] === 'NetworkPolicy')).toEqual([]);
  });

  it.skipIf(!helm)('passes helm lint, and helm template agrees with this renderer', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sightline-helm-'));
    try {
      const base = path.join(dir, 'base.yaml');
      writeFileSync(base, stringify(BASE));
      const lint = spawnSync(helm!, ['lint', chartDir, '-f', base], { encoding: 'utf8' });
      expect(lint.status, lint.stdout + lint.stderr).toBe(0);
      for (const overrides of [BASE, ALTERNATIVE]) {
        const file = path.join(dir, 'values.yaml');
        writeFileSync(file, stringify(overrides));
        const out = spawnSync(helm!, ['template', 'sightline', chartDir, '-f', file], { encoding: 'utf8' });
        expect(out.status, out.stderr).toBe(0);
        const byHelm = parseAllDocuments(out.stdout)
          .map((d) => d.toJSON())
          .filter(Boolean);
        const key = (d: Record<string, any>) => `${d['kind']}/${d['metadata'].name}`;
        const sorted = (ds: Record<string, any>[]) => [...ds].sort((a, b) => key(a).localeCompare(key(b)));
        expect(sorted(renderChart(chartDir, overrides))).toEqual(sorted(byHelm));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
