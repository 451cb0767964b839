import http from 'node:http';
import { io, type Socket } from 'socket.io-client';
import type { Ack, ClientToServerEvents, RequestName, RequestOf, ResponseMap, ServerToClientEvents } from '@sightline/shared';

/**
 * HTTP and socket.io from a chosen loopback address. The storm is 200 phones and a room of
 * dispatchers, not one script: each caller and each dispatcher gets its own 127.x.y.z source
 * address, so the per-address limits (ratelimit/limits.ts: redeem attempts, logins) count each
 * one as production would, and none of the deployment's limits is changed for the bench.
 */
export type StormSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The n-th address of a block: block 10 → 127.10.0.1, 127.10.0.2, ... (the whole 127/8 is loopback on Linux). */
export function loopback(block: number, n: number): string {
  const i = n + 1;
  return `127.${block}.${(i >> 8) & 255}.${i & 255}`;
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`${what}: HTTP ${status} ${JSON.stringify(body).slice(0, 200)}`);
    this.name = 'HttpError';
  }
}

/** One JSON request from `localAddress`; resolves with the parsed body of a 2xx, else throws HttpError. */
export function httpJson<T>(method: string, url: string, opts: { localAddress: string; token?: string; body?: unknown }): Promise<T> {
  const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
  const headers: Record<string, string> = {};
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers, localAddress: opts.localAddress, timeout: 30_000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve(body as T);
        else reject(new HttpError(status, body, `${method} ${new URL(url).pathname}`));
      });
    });
    req.on('timeout', () => req.destroy(new Error(`${method} ${new URL(url).pathname}: no answer in 30 s`)));
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

/** A socket.io connection as the pages open it (WebSocket at once, the token in the handshake), from `localAddress`. */
export async function connectSocket(url: string, token: string, localAddress: string): Promise<StormSocket> {
  const socket: StormSocket = io(url, { auth: { token }, transports: ['websocket'], reconnection: false, localAddress } as never);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('connect_error', (err) => reject(new Error(`socket refused: ${err.message} ${JSON.stringify((err as { data?: unknown }).data ?? '')}`)));
  });
  return socket;
}

export class SignallingRefusal extends Error {
  constructor(name: string, code: string, message: string) {
    super(`${name}: ${code} (${message})`);
    this.name = 'SignallingRefusal';
  }
}

/** One typed request, as client/src/common/signalling.ts sends it. */
export async function request<K extends RequestName>(socket: StormSocket, name: K, payload: RequestOf<K>, timeoutMs = 30_000): Promise<ResponseMap[K]> {
  const timed = socket.timeout(timeoutMs) as unknown as { emitWithAck(n: K, p: RequestOf<K>): Promise<Ack<ResponseMap[K]>> };
  const ack = await timed.emitWithAck(name, payload);
  if (!ack.ok) throw new SignallingRefusal(name, ack.error.code, ack.error.message);
  return ack.data;
}
