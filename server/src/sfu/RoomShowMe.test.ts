import type { ShowMe, ShowMeEndReason } from '@sightline/shared';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ForbiddenError, ValidationError } from '../errors.js';
import { freePort } from '../testing/ports.js';
import { testLogger } from '../testing/logger.js';
import { Room } from './Room.js';
import { WorkerPool } from './WorkerPool.js';

/**
 * Show me (issue #15 §1) on a real mediasoup worker: the dispatcher's picture is consumable by the
 * caller, and never taken for the caller's video (no producer event, not in `producers()`, no codec
 * vote, no replacing the caller's camera, no closing its pre-tap transport).
 */
const VP8 = (ssrc: number) => ({
  mid: String(ssrc),
  codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [],
  encodings: [{ ssrc }],
  rtcp: { cname: `c${ssrc}`, reducedSize: true },
});

let pool: WorkerPool;
beforeAll(async () => {
  pool = await WorkerPool.start({ workers: 1, listenIp: '127.0.0.1', announcedIp: '127.0.0.1', basePort: await freePort() }, testLogger);
});
afterAll(async () => pool?.close());

async function roomWithCaller() {
  const room = await Room.create(`s_showme${Math.random().toString(36).slice(2, 8)}`, pool.pick(), testLogger);
  const added: string[] = [];
  const shown: ShowMe[] = [];
  const ended: [ShowMe, ShowMeEndReason][] = [];
  room.on('producer-added', (p) => added.push(p.source));
  room.on('show-me-added', (s) => shown.push(s));
  room.on('show-me-closed', (s, reason) => ended.push([s, reason]));
  const callerSend = await room.createTransport('caller', 'send');
  const camera = await room.produce('caller', callerSend.id, 'video', VP8(1111), 'camera');
  const consoleSend = await room.createTransport('console', 'send');
  const showMe = (shows: string, ssrc = 2222) => room.produce('console', consoleSend.id, 'video', VP8(ssrc), 'show_me', shows);
  return { room, added, shown, ended, camera, consoleSend, showMe };
}

describe('Room: the show-me picture', () => {
  it('is announced on its own events and kept out of the caller producers', async () => {
    const { room, added, shown, camera, showMe } = await roomWithCaller();
    const id = await showMe('camera');
    expect(added).toEqual(['camera']);
    expect(shown).toEqual([{ producerId: id, source: 'camera' }]);
    expect(room.producers().map((p) => p.producerId)).toEqual([camera]);
    expect(room.showMe()).toEqual({ producerId: id, source: 'camera' });
    room.close();
  });

  it('lets the caller receive it and nothing else, without its capabilities voting on the codec', async () => {
    const { room, camera, showMe } = await roomWithCaller();
    const id = await showMe('cpr-hands');
    const recv = await room.createTransport('caller', 'recv', false, 300_000);
    const receiver = vi.spyOn(room.codecs, 'receiver');
    await expect(room.consume('caller', recv.id, camera, room.rtpCapabilities, true)).rejects.toBeInstanceOf(ForbiddenError);
    const consumer = await room.consume('caller', recv.id, id, room.rtpCapabilities, true);
    expect(consumer.producerId).toBe(id);
    expect(receiver).not.toHaveBeenCalled();
    room.close();
  });

  it('replaces an older picture, not the caller camera, and leaves the pre-tap transport alone', async () => {
    const { room, ended, camera, showMe } = await roomWithCaller();
    await room.createTransport('another-tab', 'send', true);
    const first = await showMe('camera', 3333);
    const second = await showMe('recovery', 4444);
    room.closeProducers('show_me', second);
    expect(ended).toEqual([[{ producerId: first, source: 'camera' }, 'replaced']]);
    expect(room.showMe()?.producerId).toBe(second);
    expect(room.producers().map((p) => p.producerId)).toEqual([camera]);
    expect(room.mediaCounts().pretap).toBe(1);
    room.close();
  });

  it('says why it ended: stopped, the console gone, the session over', async () => {
    const { room, ended, consoleSend, showMe } = await roomWithCaller();
    await showMe('camera', 5555);
    room.closeShowMe('stopped');
    await showMe('camera', 6666);
    room.closeTransport('console', consoleSend.id);
    const again = await room.createTransport('console', 'send');
    await room.produce('console', again.id, 'video', VP8(7777), 'show_me', 'camera');
    room.close();
    expect(ended.map(([, reason]) => reason)).toEqual(['stopped', 'console_left', 'session_ended']);
    expect(room.showMe()).toBeUndefined();
  });

  it('is video that says what it shows', async () => {
    const { room, consoleSend } = await roomWithCaller();
    await expect(room.produce('console', consoleSend.id, 'video', VP8(8888), 'show_me')).rejects.toBeInstanceOf(ValidationError);
    room.close();
  });
});
