import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Ack, ChatMessage, ClientToServerEvents, RequestName, RequestOf, ResponseMap, ServerToClientEvents, SessionEvent } from '@sightline/shared';
import type { CDPSession } from 'puppeteer-core';
import { io, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogs } from '../../server/src/audit/AuditLogs.js';
import { launchDevice, waitFor, type Device } from '../support/browser.js';
import { callerStartsVideo, dispatcherCreatesSession, sel } from '../support/flow.js';
import { freePort, http, login, REPO_ROOT, startServer, type TestServer } from '../support/server.js';
import { callerStatus, card } from '../support/session.js';

/**
 * "Nothing lost in the log", checked against witnesses the log does not control. The log numbers its
 * own records, so "seq 1…n" holds whatever it drops; here every record is matched by content with
 * (1) the session events the console page received over its socket, each with its seq, read off the
 * wire, and (2) the actions the test itself took. Then: every acknowledged action is on disk, the
 * chain intact, after the server is killed with SIGKILL right after the last acknowledgement.
 */
const run = promisify(execFile);
type LogRecord = SessionEvent & { prevHash: string; hash: string };
type Sock = Socket<ServerToClientEvents, ClientToServerEvents>;

let server: TestServer;
let dataDir: string;
let dispatcher: Device;
let caller: Device;

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-completeness-'));
  const port = await freePort();
  server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, DATA_DIR: dataDir });
  [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
});

afterAll(async () => {
  await Promise.all([dispatcher?.close(), caller?.close()]);
  await server?.stop();
  await rm(dataDir, { recursive: true, force: true });
});

async function diskLog(sessionId: string): Promise<LogRecord[]> {
  const text = await readFile(path.join(dataDir, 'sessions', sessionId, 'log.jsonl'), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as LogRecord);
}

/** A record as the console sees it: the chain's own fields left out. */
const content = ({ prevHash: _p, hash: _h, ...event }: LogRecord): SessionEvent => event;

/** The one record that matches, failing when there is none or more than one. */
function theOne(log: LogRecord[], what: string, match: (r: LogRecord) => boolean): LogRecord {
  const found = log.filter(match);
  expect(found, `exactly one log record for ${what}`).toHaveLength(1);
  return found[0]!;
}

/** Every `session:event` a page's socket receives, read from the WebSocket frames (the page's own code not involved). */
async function eventsOnTheWire(cdp: CDPSession): Promise<{ sessionId: string; event: SessionEvent }[]> {
  const seen: { sessionId: string; event: SessionEvent }[] = [];
  await cdp.send('Network.enable');
  cdp.on('Network.webSocketFrameReceived', ({ response }) => {
    // socket.io over engine.io: "42" + ["name", payload] is an event packet on the default namespace.
    const packet = /^42\d*(\[.*)$/s.exec(response.payloadData);
    if (!packet) return;
    const [name, payload] = JSON.parse(packet[1]!) as [string, { sessionId: string; event: SessionEvent }];
    if (name === 'session:event') seen.push({ sessionId: payload.sessionId, event: payload.event });
  });
  return seen;
}

async function connect(token: string): Promise<Sock> {
  const s: Sock = io(server.url, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    s.once('connect', () => resolve());
    s.once('connect_error', reject);
  });
  return s;
}

/** One request, resolved once the server acknowledges it (an error ack fails the test). */
async function acked<K extends RequestName>(s: Sock, name: K, payload: RequestOf<K>): Promise<ResponseMap[K]> {
  const timed = s.timeout(10_000) as unknown as { emitWithAck(n: K, p: RequestOf<K>): Promise<Ack<ResponseMap[K]>> };
  const ack = await timed.emitWithAck(name, payload);
  if (!ack.ok) throw new Error(`${name} refused: ${ack.error.code} ${ack.error.message}`);
  return ack.data;
}

/** A real JPEG, made by ffmpeg, for a snapshot upload. */
async function jpeg(): Promise<Buffer> {
  const { stdout } = await run(
    'ffmpeg',
    ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=red:s=64x48', '-frames:v', '1', '-c:v', 'mjpeg', '-f', 'image2pipe', 'pipe:1'],
    {
      encoding: 'buffer',
    },
  );
  return stdout as unknown as Buffer;
}

describe('nothing lost in the log', () => {
  it('holds every event the console received, with its seq and content, and every action the test took', async () => {
    const wire = await eventsOnTheWire(await dispatcher.page.createCDPSession());
    const { sessionId, inviteUrl } = await dispatcherCreatesSession(dispatcher.page, server.url, { phone: '+4791234567', incident: 'INC-COMPLETE-1' });
    const c = card(dispatcher.page, sessionId);
    await callerStartsVideo(caller.page, inviteUrl);
    await waitFor('caller live', async () => (await callerStatus(caller.page)).startsWith('live'));
    await c.waitStatus('live');

    // The test's own actions, through both pages, each waited on until the other side shows it.
    const said = ['Is the patient breathing? (completeness 1)', 'Help is on the way (completeness 2)'];
    for (const text of said) {
      await dispatcher.page.type(c.sel('chat-input'), text);
      await dispatcher.page.click(c.sel('chat-send'));
      await waitFor('caller sees the message', () => caller.page.$eval(sel('chat-log'), (el, t) => el.textContent?.includes(t), text));
    }
    const reply = 'Yes, slowly (completeness 3)';
    await caller.page.type(sel('chat-input'), reply);
    await caller.page.click(sel('chat-send'));
    await waitFor('dispatcher sees the reply', () => dispatcher.page.$eval(`${c.scope} .chat-log`, (el, t) => el.textContent?.includes(t), reply));
    await dispatcher.page.click(c.sel('request-flip'));
    await waitFor('flip answered', async () => (await c.text('control-reply')).includes('Flip camera: done'));
    await dispatcher.page.click(c.sel('snapshot-button'));
    await waitFor('snapshot listed', async () => (await dispatcher.page.$$(c.sel('snapshot-item'))).length === 1);
    const token = await login(server);
    const [still] = (await http('GET', `${server.url}/api/sessions/${sessionId}/snapshots`, { token })).body.snapshots as { name: string; bytes: number }[];
    expect((await http('POST', `${server.url}/api/sessions/${sessionId}/end`, { token })).status).toBe(200);
    const ended = await waitFor('the console got "ended"', async () => wire.find((w) => w.sessionId === sessionId && w.event.type === 'ended')?.event);

    const log = await diskLog(sessionId);
    // The media's own end may still be appending (the room closes after the session ends): at least what was read.
    const verified = await new AuditLogs(dataDir).verifySession(sessionId);
    expect(verified).toMatchObject({ intact: true });
    expect(verified.records).toBeGreaterThanOrEqual(log.length);

    // Witness 1, both ways: what the console was sent is on disk as sent, and from the console's first
    // event to the end, nothing is on disk that the console was not sent.
    const received = wire.filter((w) => w.sessionId === sessionId).map((w) => w.event);
    const first = received[0]!.seq;
    expect(received.length, 'events the console received').toBeGreaterThan(8);
    for (const event of received) expect(content(log[event.seq - 1]!), `log record seq ${event.seq}`).toEqual(event);
    expect(log.filter((r) => r.seq >= first && r.seq <= ended.seq).map(content)).toEqual(
      [...received].sort((a, b) => a.seq - b.seq).filter((e) => e.seq <= ended.seq),
    );

    // Witness 2: each action the test took is on disk once, by whom, with what it carried, in order.
    const actions = [
      theOne(
        log,
        'the session created',
        (r) =>
          r.type === 'created' &&
          r.actor === 'dispatcher:dispatcher' &&
          r.details?.['incidentRef'] === 'INC-COMPLETE-1' &&
          r.details?.['phone'] === '+47*****567',
      ),
      ...said.map((text) => theOne(log, `chat "${text}"`, (r) => r.type === 'chat' && r.actor === 'dispatcher:dispatcher' && r.details?.['text'] === text)),
      theOne(log, 'the caller reply', (r) => r.type === 'chat' && r.actor === 'caller' && r.details?.['text'] === reply),
      theOne(log, 'the flip request', (r) => r.type === 'control_requested' && r.actor === 'dispatcher:dispatcher' && r.details?.['action'] === 'flip'),
      theOne(
        log,
        'the flip answer',
        (r) => r.type === 'control_answered' && r.actor === 'caller' && r.details?.['action'] === 'flip' && r.details?.['outcome'] === 'done',
      ),
      theOne(
        log,
        'the snapshot',
        (r) => r.type === 'snapshot' && r.actor === 'dispatcher:dispatcher' && r.details?.['name'] === still!.name && r.details?.['bytes'] === still!.bytes,
      ),
      theOne(log, 'the end', (r) => r.type === 'ended' && r.actor === 'dispatcher:dispatcher' && r.details?.['reason'] === 'dispatcher'),
    ];
    const seqs = actions.map((r) => r.seq);
    expect(seqs, 'the actions in the order taken').toEqual([...seqs].sort((a, b) => a - b));
    process.stdout.write(`log completeness: ${received.length} events off the console's wire and ${actions.length} actions matched in ${log.length} records\n`);
    expect((await stat(path.join(dataDir, 'sessions', sessionId, 'snapshots', still!.name))).size).toBe(still!.bytes);
  });

  it('keeps every acknowledged action on disk, chain intact, when the server is killed right after the last ack', async () => {
    const token = await login(server);
    const created = await http('POST', `${server.url}/api/sessions`, { token, body: { phone: '+4791234568', incidentRef: 'INC-SIGKILL-1' } });
    expect(created.status).toBe(201);
    const sessionId = created.body.id as string;
    const code = new URL(created.body.inviteUrl as string).pathname.split('/').pop()!;
    const redeemed = await http('POST', `${server.url}/api/invites/${code}/redeem`);
    expect(redeemed.status).toBe(200);
    const [staff, phone] = await Promise.all([connect(token), connect(redeemed.body.token as string)]);

    // One at a time, each waited for: chat both ways, a control request, a location, a snapshot.
    const chats = [];
    for (let i = 1; i <= 3; i++) chats.push((await acked(staff, 'chat:send', { sessionId, text: `acked ${i}` })).message);
    chats.push((await acked(phone, 'chat:send', { sessionId, text: 'acked by the caller' })).message);
    await acked(staff, 'control:request', { sessionId, action: 'torch_on' });
    await acked(phone, 'caller:location', { sessionId, lat: 59.91273, lng: 10.74609, accuracy: 12 });
    const upload = await fetch(`${server.url}/api/sessions/${sessionId}/snapshots`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'image/jpeg' },
      body: new Uint8Array(await jpeg()),
    });
    expect(upload.status).toBe(201);
    const still = (await upload.json()) as { name: string; bytes: number };
    // Then a burst, all in flight at once, and more sent behind it: the burst's last acknowledgement is
    // the signal to kill, while those behind it are being written (they may or may not make it).
    const ackedSoFar: ChatMessage[] = [];
    const send = (text: string) => acked(staff, 'chat:send', { sessionId, text }).then(({ message }) => void ackedSoFar.push(message));
    const burst = Array.from({ length: 20 }, (_, i) => send(`burst ${i + 1}`));
    for (let i = 1; i <= 10; i++) void send(`behind ${i}`).catch(() => undefined);
    await Promise.all(burst);
    process.kill(server.pid, 'SIGKILL');
    chats.push(...ackedSoFar);
    staff.disconnect();
    phone.disconnect();

    const cli = path.join(REPO_ROOT, 'server/bin/sightline.js');
    const verified = await run(process.execPath, [cli, 'verify', sessionId], { env: { ...process.env, DATA_DIR: dataDir } });
    expect(verified.stdout).toMatch(/^intact: \d+ records/);
    const log = await diskLog(sessionId);
    for (const m of chats) {
      theOne(
        log,
        `chat "${m.text}"`,
        (r) =>
          r.type === 'chat' &&
          r.details?.['id'] === m.id &&
          r.details?.['text'] === m.text &&
          r.actor === (m.from === 'caller' ? 'caller' : 'dispatcher:dispatcher'),
      );
    }
    theOne(log, 'the torch request', (r) => r.type === 'control_requested' && r.details?.['action'] === 'torch_on');
    theOne(log, 'the location', (r) => r.type === 'location' && r.actor === 'caller' && r.details?.['lat'] === 59.91273 && r.details?.['lng'] === 10.74609);
    theOne(log, 'the snapshot', (r) => r.type === 'snapshot' && r.details?.['name'] === still.name && r.details?.['bytes'] === still.bytes);
    const behind = log.filter((r) => r.type === 'chat' && String(r.details?.['text']).startsWith('behind ')).length;
    process.stdout.write(
      `after SIGKILL: ${chats.length} acknowledged chat messages all on disk, ${behind} of 10 unacknowledged ones too, ${log.length} records, chain intact\n`,
    );
  });
});
