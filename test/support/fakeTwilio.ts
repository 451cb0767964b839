import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import { jsonOrText } from './server.js';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Twilio's Messages REST API (POST /2010-04-01/Accounts/{sid}/Messages.json)
 * on 127.0.0.1, for the real twilio SDK to talk to through TWILIO_API_URL. It checks basic auth the
 * way Twilio does, answers with a realistic message resource, records what it was sent, can be told
 * to fail, and can play Twilio's part in delivery callbacks (signed with X-Twilio-Signature).
 */

/** `ok` answers 201; the others: 400 + error 21211, 503, or never answering (for client timeouts). */
export type FakeTwilioMode = 'ok' | 'invalid_number' | 'unavailable' | 'hang';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Decoded form fields (last value wins for repeated keys). */
  form: Record<string, string>;
  /** The HTTP status the fake answered (undefined while hanging). */
  status?: number;
}

export interface FakeMessage {
  sid: string;
  accountSid: string;
  to: string;
  from: string;
  body: string;
  statusCallback?: string;
  status: string;
  /** All form fields the client sent. */
  params: Record<string, string>;
  /** The raw request, headers included. */
  request: RecordedRequest;
}

export interface CallbackResult {
  status: number;
  body: unknown;
}

export interface FakeTwilio {
  /** Base URL to use as TWILIO_API_URL. */
  url: string;
  accountSid: string;
  authToken: string;
  /** Messages accepted (201), oldest first. */
  messages: FakeMessage[];
  /** Every request, accepted or not. */
  requests: RecordedRequest[];
  mode: FakeTwilioMode;
  setMode(mode: FakeTwilioMode): void;
  /** Forget recorded messages and requests; back to `ok`. */
  reset(): void;
  /** The form fields Twilio posts to a message's StatusCallback. */
  statusParams(message: FakeMessage, status: string, errorCode?: string): Record<string, string>;
  /**
   * Sends a delivery callback for `message` the way Twilio does: form-encoded, signed over the
   * message's StatusCallback URL. `via` replaces the origin it is delivered to (a reverse proxy in
   * front of the server: the signature still covers the URL Twilio was given).
   */
  deliverStatus(
    message: FakeMessage,
    status: string,
    opts?: { errorCode?: string; via?: string; signature?: string; authToken?: string },
  ): Promise<CallbackResult>;
  close(): Promise<void>;
}

/** Twilio's request signature: HMAC-SHA1 (key: auth token) over the URL followed by each POST key and value, keys sorted; base64. */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + key + params[key], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}

/** POSTs a form to `url` signed for `signedUrl` (defaults to `url`), like Twilio's webhooks. */
export async function sendSignedCallback(opts: {
  url: string;
  signedUrl?: string;
  authToken: string;
  params: Record<string, string>;
  signature?: string;
}): Promise<CallbackResult> {
  const signature = opts.signature ?? twilioSignature(opts.authToken, opts.signedUrl ?? opts.url, opts.params);
  const res = await fetch(opts.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
      'user-agent': 'TwilioProxy/1.1',
      'i-twilio-idempotency-token': randomUUID(),
      'x-twilio-signature': signature,
    },
    body: new URLSearchParams(opts.params).toString(),
  });
  return { status: res.status, body: await jsonOrText(res) };
}

/** The server environment that sends SMS through `fake` with the real twilio SDK (from `TWILIO_FROM`, +4759440000). */
export function twilioEnv(fake: Pick<FakeTwilio, 'accountSid' | 'authToken' | 'url'>): Record<string, string> {
  return {
    SMS_PROVIDER: 'twilio',
    TWILIO_ACCOUNT_SID: fake.accountSid,
    TWILIO_AUTH_TOKEN: fake.authToken,
    TWILIO_FROM: '+4759440000',
    TWILIO_API_URL: fake.url,
  };
}

export async function startFakeTwilio(opts: { accountSid?: string; authToken?: string } = {}): Promise<FakeTwilio> {
  const accountSid = opts.accountSid ?? `AC${randomBytes(16).toString('hex')}`;
  const authToken = opts.authToken ?? randomBytes(16).toString('hex');
  const messages: FakeMessage[] = [];
  const requests: RecordedRequest[] = [];
  let mode: FakeTwilioMode = 'ok';

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { code: 20500, message: `fake twilio: ${(err as Error).message}`, status: 500 });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    const form = req.headers['content-type']?.startsWith('application/x-www-form-urlencoded') ? Object.fromEntries(new URLSearchParams(raw)) : {};
    const recorded: RecordedRequest = { method: req.method ?? '', path, headers: req.headers, form };
    requests.push(recorded);
    const answer = (status: number, body: unknown) => {
      recorded.status = status;
      json(res, status, body);
    };

    const match = /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/.exec(path);
    if (!match || req.method !== 'POST') {
      return answer(404, twilioError(20404, 'The requested resource was not found', 404));
    }
    if (!authorized(req.headers.authorization)) {
      res.setHeader('www-authenticate', 'Basic realm="Twilio API"');
      return answer(401, twilioError(20003, 'Authenticate', 401));
    }
    if (match[1] !== accountSid) return answer(404, twilioError(20404, `The requested resource ${path} was not found`, 404));

    const to = form['To'];
    const from = form['From'];
    if (!to) return answer(400, twilioError(21604, "A 'To' phone number is required.", 400));
    if (!from && !form['MessagingServiceSid'])
      return answer(400, twilioError(21603, "A 'From' or 'MessagingServiceSid' parameter is required to send a message.", 400));
    if (!form['Body'] && !form['MediaUrl'] && !form['ContentSid']) return answer(400, twilioError(21602, 'Message body is required.', 400));

    switch (mode) {
      case 'hang':
        return; // never answers; close() drops the connection
      case 'unavailable':
        recorded.status = 503;
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end('<html><body><h1>503 Service Unavailable</h1></body></html>');
        return;
      case 'invalid_number':
        return answer(400, twilioError(21211, `The 'To' number ${to} is not a valid phone number.`, 400));
      case 'ok': {
        const sid = `SM${randomBytes(16).toString('hex')}`;
        const now = rfc2822(new Date());
        const body = form['Body'] ?? '';
        const uri = `/2010-04-01/Accounts/${accountSid}/Messages/${sid}`;
        messages.push({
          sid,
          accountSid,
          to,
          from: from ?? '',
          body,
          statusCallback: form['StatusCallback'],
          status: 'queued',
          params: form,
          request: recorded,
        });
        return answer(201, {
          account_sid: accountSid,
          api_version: '2010-04-01',
          body,
          date_created: now,
          date_sent: null,
          date_updated: now,
          direction: 'outbound-api',
          error_code: null,
          error_message: null,
          from: from ?? null,
          messaging_service_sid: form['MessagingServiceSid'] ?? null,
          num_media: '0',
          num_segments: String(segments(body)),
          price: null,
          price_unit: 'USD',
          sid,
          status: 'queued',
          subresource_uris: { media: `${uri}/Media.json` },
          to,
          uri: `${uri}.json`,
        });
      }
    }
  }

  function authorized(header: string | undefined): boolean {
    const m = /^Basic ([A-Za-z0-9+/=]+)$/.exec(header ?? '');
    if (!m) return false;
    const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
    return decoded === `${accountSid}:${authToken}`;
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;

  const fake: FakeTwilio = {
    url: `http://127.0.0.1:${port}`,
    accountSid,
    authToken,
    messages,
    requests,
    get mode() {
      return mode;
    },
    set mode(m: FakeTwilioMode) {
      mode = m;
    },
    setMode(m) {
      mode = m;
    },
    reset() {
      messages.length = 0;
      requests.length = 0;
      mode = 'ok';
    },
    statusParams(message, status, errorCode) {
      return {
        AccountSid: message.accountSid,
        ApiVersion: '2010-04-01',
        From: message.from,
        MessageSid: message.sid,
        MessageStatus: status,
        SmsSid: message.sid,
        SmsStatus: status,
        To: message.to,
        ...(errorCode !== undefined && { ErrorCode: errorCode }),
      };
    },
    async deliverStatus(message, status, o = {}) {
      if (!message.statusCallback) throw new Error(`message ${message.sid} has no StatusCallback`);
      const signedUrl = message.statusCallback;
      let url = signedUrl;
      if (o.via) {
        const target = new URL(signedUrl);
        url = `${o.via.replace(/\/+$/, '')}${target.pathname}${target.search}`;
      }
      message.status = status;
      return sendSignedCallback({
        url,
        signedUrl,
        authToken: o.authToken ?? authToken,
        params: fake.statusParams(message, status, o.errorCode),
        signature: o.signature,
      });
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}

function twilioError(code: number, message: string, status: number) {
  return { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status };
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Twilio's date format: "Wed, 18 Aug 2021 20:01:46 +0000". */
function rfc2822(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '+0000');
}

/** GSM-7 fits 160 per segment (153 when split); anything else is UCS-2, 70 (67). Rough, like the real count. */
function segments(body: string): number {
  // eslint-disable-next-line no-control-regex
  const gsm = /^[\u0000-\u007f£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¡ÄÖÑÜ§¿äöñüà€]*$/.test(body);
  const [single, multi] = gsm ? [160, 153] : [70, 67];
  return body.length <= single ? 1 : Math.ceil(body.length / multi);
}
