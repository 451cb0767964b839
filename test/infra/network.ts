import net from 'node:net';
import { startRedisServer } from '../../server/src/testing/redisServer.js';

type Networks = string[] | Record<string, { ipv4_address?: string } | null> | undefined;

/** A compose service's networks as a map (the list form has no per-network settings). */
export function composeNetworks(service: { networks?: Networks }): Record<string, { ipv4_address?: string } | null> {
  const n = service.networks;
  if (!n) return {};
  return Array.isArray(n) ? Object.fromEntries(n.map((name) => [name, null])) : n;
}

const ipv4 = (a: string) => a.split('.').reduce((acc, o) => (acc << 8n) | BigInt(Number(o)), 0n);

/** `address` lies in the IPv4 `cidr`. */
export function inSubnet(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const mask = ((1n << 32n) - 1n) ^ ((1n << BigInt(32 - Number(bits))) - 1n);
  return (ipv4(address) & mask) === (ipv4(base!) & mask);
}

/**
 * Starts a real redis-server with a deployment's own options and asks it PING twice: as a client
 * without credentials, then after AUTH. Returns the two first reply lines.
 */
export async function redisAnswersWithoutPassword(args: string[], password: string): Promise<{ anonymous: string; authenticated: string }> {
  const redis = await startRedisServer({ args });
  try {
    const anonymous = (await exchange(redis.port, 'PING\r\n', 1))[0]!;
    const [, authenticated] = await exchange(redis.port, `AUTH ${password}\r\nPING\r\n`, 2);
    return { anonymous, authenticated: authenticated! };
  } finally {
    await redis.stop();
  }
}

/** Sends inline commands and collects `lines` reply lines. */
function exchange(port: number, commands: string, lines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(commands));
    let buf = '';
    socket.setTimeout(5000, () => socket.destroy(new Error('redis did not answer')));
    socket.on('data', (d) => {
      buf += d.toString();
      const got = buf.split('\r\n').filter(Boolean);
      if (got.length >= lines) {
        socket.end();
        resolve(got.slice(0, lines));
      }
    });
    socket.on('error', reject);
  });
}
