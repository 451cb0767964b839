import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

/** One request the receiver took: its `webhook-id`, whether its signature verified, the body as sent, when (ms). */
export interface ReceivedWebhook {
  id: string;
  verified: boolean;
  raw: string;
  at: number;
}

/** What the receiver does with a request: answer with this HTTP status, or drop the connection. */
export type WebhookAnswer = number | 'drop';

export interface WebhookReceiver {
  /** The receiver's URL with `path` (e.g. `/hooks`). */
  url(path: string): string;
  /** Every request, in arrival order. */
  readonly received: ReceivedWebhook[];
  close(): Promise<void>;
}

/**
 * A local receiver of Standard Webhooks on 127.0.0.1, each request's signature checked with the
 * `standardwebhooks` package against `secret`. `answer` decides each reply (204 when absent).
 */
export async function startWebhookReceiver(secret: string, answer: (hook: ReceivedWebhook) => WebhookAnswer = () => 204): Promise<WebhookReceiver> {
  const verifier = new Webhook(secret);
  const received: ReceivedWebhook[] = [];
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const headers = Object.fromEntries(['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((h) => [h, String(req.headers[h] ?? '')]));
      let verified = true;
      try {
        verifier.verify(raw, headers);
      } catch {
        verified = false;
      }
      const hook = { id: headers['webhook-id']!, verified, raw, at: Date.now() };
      received.push(hook);
      const reply = answer(hook);
      if (reply === 'drop') req.socket.destroy();
      else res.writeHead(reply).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
