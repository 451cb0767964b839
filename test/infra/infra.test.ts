import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { assertEnvAccepted, fillCompose, infra, which } from './support.js';
import { composeNetworks, inSubnet, redisAnswersWithoutPassword } from './network.js';

/**
 * No docker engine here, so the compose file and the proxy config are checked as data: they parse,
 * they have what an operator relies on (two nodes on one Redis and one data volume, each with its
 * own NODE_ID and RTC ports, a sticky TLS proxy health-checking both), and the environment they set
 * is one the server accepts. HAProxy's own parser also checks its config when haproxy is installed.
 */
type Service = {
  environment: Record<string, string>;
  command?: string[];
  networks?: string[] | Record<string, { ipv4_address?: string } | null>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  image?: string;
  depends_on?: unknown;
};
type Network = { internal?: boolean; ipam?: { config?: { subnet?: string }[] } };
const compose = parse(readFileSync(infra('compose/compose.yaml'), 'utf8'), { merge: true }) as {
  services: Record<string, Service>;
  volumes: Record<string, unknown>;
  networks?: Record<string, Network | null>;
};
const nodeNames = Object.keys(compose.services)
  .filter((n) => n.startsWith('sightline'))
  .sort();
const nodes = nodeNames.map((name) => ({ name, ...compose.services[name]! }));
const haproxyCfg = readFileSync(infra('proxy/haproxy.cfg'), 'utf8');

/** `"40000:40000/udp"` or `"40000-40001:40000-40001/udp"` → one entry per port. */
function publishedPorts(specs: string[]): { host: number; container: number; proto: string }[] {
  return specs.flatMap((spec) => {
    const m = /^(\d+)(?:-(\d+))?:(\d+)(?:-(\d+))?\/(udp|tcp)$/.exec(spec);
    if (!m) return [];
    const [hostFrom, hostTo, contFrom] = [Number(m[1]), Number(m[2] ?? m[1]), Number(m[3])];
    return Array.from({ length: hostTo - hostFrom + 1 }, (_, i) => ({ host: hostFrom + i, container: contFrom + i, proto: m[5]! }));
  });
}

/** HAProxy config as sections (`backend sightline`) of directive lines, comments dropped. */
function haproxySections(text: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/(^|\s)#.*$/, '').trimEnd();
    if (!line.trim()) continue;
    if (/^\S/.test(line)) sections.set(line.trim(), (current = []));
    else current?.push(line.trim().replace(/\s+/g, ' '));
  }
  return sections;
}

describe('compose', () => {
  it('runs two Sightline nodes with Redis, coturn and a proxy', () => {
    expect(Object.keys(compose.services).sort()).toEqual(['coturn', 'proxy', 'redis', 'sightline-1', 'sightline-2']);
  });

  it('gives every node the shared settings: Redis, production, one data volume, same secrets and URL', () => {
    for (const node of nodes) {
      const env = node.environment;
      expect(new URL(fillCompose(env['REDIS_URL']!)).host, node.name).toBe('redis:6379');
      expect(env['NODE_ENV'], node.name).toBe('production');
      expect(env['DATA_DIR'], node.name).toBe('/data');
      expect(node.volumes, node.name).toContain('sightline-data:/data');
      expect(env['JWT_SECRET'], node.name).toMatch(/^\$\{JWT_SECRET:\?/); // required, never defaulted
      expect(env['PUBLIC_URL'], node.name).toMatch(/^https:\/\//);
      expect(env['RTC_ANNOUNCED_IP'], node.name).toMatch(/^\$\{RTC_ANNOUNCED_IP/);
      expect(node.healthcheck?.test.join(' '), node.name).toContain('/healthz');
      // The log checkpoint key is a secret mounted outside the data volume (issue #11 item 4).
      expect(env['CHECKPOINT_KEY_FILE'], node.name).toBe('/run/secrets/checkpoint-key');
      expect((node as { secrets?: string[] }).secrets, node.name).toContain('checkpoint-key');
      assertEnvAccepted(env);
    }
    expect(compose.volumes).toHaveProperty('sightline-data');
    for (const key of ['JWT_SECRET', 'PUBLIC_URL', 'TURN_SECRET', 'TURN_URLS', 'RTC_ANNOUNCED_IP']) {
      expect(new Set(nodes.map((n) => n.environment[key])).size, key).toBe(1);
    }
  });

  it('gives each node its own NODE_ID and RTC ports, all published as UDP and TCP, none shared', () => {
    expect(new Set(nodes.map((n) => n.environment['NODE_ID'])).size).toBe(nodes.length);
    const taken = new Map<number, string>();
    for (const node of nodes) {
      const first = Number(node.environment['RTC_PORT']);
      const workers = Number(node.environment['MEDIASOUP_WORKERS']);
      expect(first, node.name).toBeGreaterThan(0);
      expect(workers, node.name).toBeGreaterThan(0);
      const published = publishedPorts(node.ports ?? []);
      for (let port = first; port < first + workers; port++) {
        expect(taken.get(port), `port ${port} of ${node.name}`).toBeUndefined();
        taken.set(port, node.name);
        for (const proto of ['udp', 'tcp']) expect(published, `${node.name} publishes ${port}/${proto}`).toContainEqual({ host: port, container: port, proto });
      }
    }
  });

  it('believes X-Forwarded-For from the proxy only: TRUST_PROXY names its fixed address (issue #11)', () => {
    const proxyNets = composeNetworks(compose.services['proxy']!);
    const fixed = Object.entries(proxyNets).filter(([, n]) => n?.ipv4_address);
    expect(fixed, 'the proxy has one fixed address').toHaveLength(1);
    const [netName, { ipv4_address: address }] = fixed[0] as [string, { ipv4_address: string }];
    const subnet = compose.networks?.[netName]?.ipam?.config?.[0]?.subnet;
    expect(subnet && inSubnet(address, subnet), `${address} in ${netName}'s subnet ${subnet}`).toBe(true);
    for (const node of nodes) {
      expect(
        node.environment['TRUST_PROXY']!.split(',').map((v) => v.trim()),
        node.name,
      ).toEqual([address]);
      expect(Object.keys(composeNetworks(node)), `${node.name} reaches the proxy`).toContain(netName);
    }
  });

  it('makes Redis ask for REDIS_PASSWORD, which the nodes’ REDIS_URL carries, on a network the proxy is not on (issue #11)', () => {
    const redis = compose.services['redis']!;
    const command = redis.command ?? [];
    expect(command[command.indexOf('--requirepass') + 1]).toMatch(/^\$\{REDIS_PASSWORD:\?/); // required, never defaulted
    expect(redis.healthcheck?.test.join(' ')).toContain('REDISCLI_AUTH');
    for (const node of nodes) expect(node.environment['REDIS_URL'], node.name).toMatch(/^redis:\/\/:\$\{REDIS_PASSWORD:\?[^}]*\}@redis:6379$/);
    const redisNets = Object.keys(composeNetworks(redis));
    expect(redisNets.length).toBeGreaterThan(0);
    for (const net of redisNets) {
      expect(Object.keys(composeNetworks(compose.services['proxy']!)), `proxy on ${net}`).not.toContain(net);
      expect(compose.networks?.[net]?.internal, `${net} has no route out`).toBe(true);
    }
  });

  it.skipIf(!which('redis-server'))('runs a Redis that refuses a client without the password (real redis-server, compose command)', async () => {
    const password = 'f'.repeat(64);
    const args = compose.services['redis']!.command!.slice(1).map((a) => a.replace(/\$\{REDIS_PASSWORD[^}]*\}/, password));
    expect(await redisAnswersWithoutPassword(args, password)).toEqual({ anonymous: expect.stringMatching(/^-NOAUTH/), authenticated: '+PONG' });
  });

  it('puts HAProxy in front with its config and the TLS certificate mounted', () => {
    const proxy = compose.services['proxy']!;
    expect(proxy.image).toMatch(/^haproxy:/);
    expect(proxy.ports).toContain('443:443');
    const mounts = (proxy.volumes ?? []).map((v) => v.split(':'));
    const cfg = mounts.find(([, target]) => target === '/usr/local/etc/haproxy/haproxy.cfg');
    expect(cfg, 'haproxy.cfg mounted').toBeDefined();
    expect(path.resolve(infra('compose'), cfg![0]!)).toBe(infra('proxy/haproxy.cfg'));
    const crt = /\bcrt (\S+)/.exec(haproxyCfg)?.[1];
    expect(
      mounts.map(([, target]) => target),
      'the certificate HAProxy loads is mounted',
    ).toContain(crt);
  });

  it('mounts the coturn config that exists in the repo', () => {
    const mount = compose.services['coturn']!.volumes![0]!.split(':')[0]!;
    expect(existsSync(path.resolve(infra('compose'), mount))).toBe(true);
  });
});

describe('HAProxy config', () => {
  const sections = haproxySections(haproxyCfg);
  const backend = sections.get('backend sightline') ?? [];

  it('terminates TLS and sends plain HTTP to an https redirect', () => {
    const frontend = [...sections].find(([name]) => name.startsWith('frontend'))?.[1] ?? [];
    expect(frontend.some((l) => /^bind :443 ssl crt \S+/.test(l))).toBe(true);
    expect(frontend).toContain('http-request redirect scheme https code 301 unless { ssl_fc }');
    expect(frontend).toContain('default_backend sightline');
  });

  it('keeps a browser on one node with an inserted cookie, and lets WebSockets live', () => {
    expect(backend.some((l) => l.startsWith('balance '))).toBe(true);
    expect(backend.some((l) => l.startsWith('cookie SERVERID insert indirect nocache'))).toBe(true);
    expect(sections.get('defaults')?.some((l) => /^timeout tunnel \d+[smh]$/.test(l))).toBe(true);
    expect(sections.get('defaults')).toContain('option redispatch');
  });

  it('health-checks every compose node on /healthz, each with its own cookie', () => {
    expect(backend).toContain('option httpchk');
    expect(backend).toContain('http-check send meth GET uri /healthz');
    const servers = backend.filter((l) => l.startsWith('server ')).map((l) => l.split(' '));
    expect(servers.map((s) => s[2]).sort()).toEqual(nodeNames.map((n) => `${n}:3000`));
    const cookies = servers.map((s) => s[s.indexOf('cookie') + 1]);
    expect(new Set(cookies).size).toBe(nodeNames.length);
    const checked = backend.some((l) => l.startsWith('default-server ') && l.split(' ').includes('check'));
    for (const s of servers) expect(checked || s.includes('check'), s.join(' ')).toBe(true);
  });

  it.skipIf(!which('haproxy') || !which('openssl'))('is accepted by haproxy -c', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'sightline-haproxy-'));
    try {
      const pem = path.join(dir, 'sightline.pem');
      const gen = spawnSync(
        'openssl',
        ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=sightline.test', '-keyout', pem, '-out', `${pem}.crt`],
        { encoding: 'utf8' },
      );
      expect(gen.status, gen.stderr).toBe(0);
      writeFileSync(pem, readFileSync(`${pem}.crt`, 'utf8') + readFileSync(pem, 'utf8'));
      const cfg = path.join(dir, 'haproxy.cfg');
      writeFileSync(cfg, haproxyCfg.replace(/\bcrt \S+/, `crt ${pem}`));
      const check = spawnSync('haproxy', ['-c', '-f', cfg], { encoding: 'utf8' });
      expect(check.status, check.stdout + check.stderr).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('coturn', () => {
  it('uses shared-secret auth, and relays nothing to loopback or private ranges', () => {
    const conf = readFileSync(infra('coturn/turnserver.conf'), 'utf8');
    for (const line of [
      'use-auth-secret',
      'no-loopback-peers',
      'denied-peer-ip=10.0.0.0-10.255.255.255',
      'denied-peer-ip=172.16.0.0-172.31.255.255',
      'denied-peer-ip=192.168.0.0-192.168.255.255',
      'denied-peer-ip=127.0.0.0-127.255.255.255',
    ]) {
      expect(conf.split('\n')).toContain(line);
    }
  });
});
