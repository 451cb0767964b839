import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../../server/src/config.js';
import { REPO_ROOT } from '../support/server.js';

/**
 * No docker engine or helm here, so the deployment files are checked as data: they parse, they
 * have what an operator relies on (probes on /healthz, the RTC port as UDP and TCP, Redis), and
 * every environment variable they set is one the server accepts.
 */
const infra = (...p: string[]) => path.join(REPO_ROOT, 'infra', ...p);

/** Renders the chart's templates for the subset they use: `{{ .Values.a.b }}` and `{{ .Release.Name }}`. */
function renderChart(): Record<string, unknown>[] {
  const values = parse(readFileSync(infra('helm/sightline/values.yaml'), 'utf8')) as Record<string, unknown>;
  const lookup = (dotted: string): unknown => dotted.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)?.[k], values);
  const docs: Record<string, unknown>[] = [];
  for (const file of readdirSync(infra('helm/sightline/templates'))) {
    const text = readFileSync(infra('helm/sightline/templates', file), 'utf8').replace(/\{\{\s*([^}]*?)\s*\}\}/g, (_, expr: string) => {
      if (expr === '.Release.Name') return 'sightline';
      const m = /^\.Values\.([\w.]+)$/.exec(expr);
      if (!m) throw new Error(`${file}: template expression this check cannot render: ${expr}`);
      const v = lookup(m[1]!);
      if (v === undefined) throw new Error(`${file}: no value for ${expr}`);
      return String(v);
    });
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      docs.push(doc.toJSON() as Record<string, unknown>);
    }
  }
  return docs;
}

function assertEnvAccepted(env: Record<string, string>): void {
  // Compose interpolation: ${NAME:-default} takes its default, anything else a 40-character stand-in.
  const fill = (v: string) => v.replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1').replace(/\$\{[^}]+\}/g, 'x'.repeat(40));
  const filled = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, fill(v)]));
  expect(() => loadConfig({ ...filled, NODE_ENV: 'production', JWT_SECRET: 'j'.repeat(40), PUBLIC_URL: 'https://sightline.example', TURN_URLS: 'turn:sightline.example:3478' })).not.toThrow();
}

describe('deployment files', () => {
  it('compose: Sightline with Redis, coturn and a TLS proxy, health-checked, with env the server accepts', () => {
    const compose = parse(readFileSync(infra('compose/compose.yaml'), 'utf8')) as { services: Record<string, any> };
    expect(Object.keys(compose.services).sort()).toEqual(['coturn', 'proxy', 'redis', 'sightline']);
    const s = compose.services['sightline'];
    expect(s.healthcheck.test.join(' ')).toContain('/healthz');
    expect(s.ports).toEqual(expect.arrayContaining(['40000:40000/udp', '40000:40000/tcp']));
    expect(s.environment.REDIS_URL).toBe('redis://redis:6379');
    assertEnvAccepted(s.environment);
  });

  it('Helm chart: a StatefulSet probed on /healthz with the RTC port per pod (UDP and TCP), and services', () => {
    const docs = renderChart();
    const sts = docs.find((d) => d['kind'] === 'StatefulSet') as any;
    const container = sts.spec.template.spec.containers[0];
    expect(container.readinessProbe.httpGet.path).toBe('/healthz');
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.ports.map((p: { containerPort: number; protocol: string }) => `${p.containerPort}/${p.protocol}`)).toEqual(expect.arrayContaining(['40000/UDP', '40000/TCP']));
    expect(container.resources.limits.memory).toBeDefined();
    const env = Object.fromEntries(container.env.filter((e: { value?: string }) => e.value !== undefined).map((e: { name: string; value: string }) => [e.name, e.value]));
    assertEnvAccepted(env);
    const services = docs.filter((d) => d['kind'] === 'Service') as any[];
    expect(services.flatMap((svc) => svc.spec.ports.map((p: { protocol: string }) => p.protocol))).toEqual(expect.arrayContaining(['TCP', 'UDP']));
  });

  it('coturn: shared-secret auth, and no relaying to loopback or private ranges', () => {
    const conf = readFileSync(infra('coturn/turnserver.conf'), 'utf8');
    for (const line of ['use-auth-secret', 'no-loopback-peers', 'denied-peer-ip=10.0.0.0-10.255.255.255', 'denied-peer-ip=172.16.0.0-172.31.255.255', 'denied-peer-ip=192.168.0.0-192.168.255.255', 'denied-peer-ip=127.0.0.0-127.255.255.255']) {
      expect(conf.split('\n')).toContain(line);
    }
  });
});
