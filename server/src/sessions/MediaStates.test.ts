import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { ProducerInfo } from '@sightline/shared';
import type { RoomEvents } from '../sfu/Room.js';
import type { RoomCodecsEvents } from '../sfu/RoomCodecs.js';
import type { SmsProvider } from '../sms/SmsProvider.js';
import { MemoryStore } from '../store/MemoryStore.js';
import { testLogger } from '../testing/logger.js';
import { sessionServices } from '../testing/sessionServices.js';
import { MediaStates, type MediaRoom } from './MediaStates.js';

const sms = { name: 'console', send: async () => ({}) } as unknown as SmsProvider;

/** A room that only emits what the test makes it emit. */
class FakeRoom extends EventEmitter<RoomEvents> {
  readonly codecs = new EventEmitter<RoomCodecsEvents>();
  readonly workerIndex = 2;
  live: ProducerInfo[] = [];
  constructor(readonly sessionId: string) {
    super();
  }
  producers(): ProducerInfo[] {
    return this.live;
  }
  async producerSample() {
    return { bytes: 1000, score: 7, codec: 'video/VP8' };
  }
  add(info: ProducerInfo) {
    this.live.push(info);
    this.emit('producer-added', info);
  }
  remove(producerId: string) {
    this.live = this.live.filter((p) => p.producerId !== producerId);
    this.emit('producer-closed', producerId);
  }
}

/** A session past consent (the caller tapped), its room followed by the rules; what its log and clients get. */
async function setUp(mediaNode?: string) {
  const store = new MemoryStore();
  const { sessions, invites } = sessionServices({ store, sms, sessions: { place: mediaNode ? () => mediaNode : undefined } });
  const s = await invites.create('disp', { phone: '+4791234567' });
  await invites.redeem(s.inviteCode);
  const states = new MediaStates(sessions, 'node-a', testLogger);
  const room = new FakeRoom(s.id);
  states.follow(room satisfies MediaRoom);
  const log: string[] = [];
  sessions.on('event', (_id, status, e) => log.push(e.type === status ? `→ ${status}` : `${e.type}`));
  sessions.on('push', (_id, p) => log.push(`push ${p.name}`));
  const settled = async (n: number) => {
    for (let i = 0; i < 500 && log.length < n; i++) await new Promise((r) => setTimeout(r, 2));
    return log;
  };
  return { sessions, states, room, id: s.id, log, settled, events: () => sessions.events(s.id) };
}

const camera: ProducerInfo = { producerId: 'p1', kind: 'video', source: 'camera' };

describe('MediaStates: media events to session states (issue #13, item 3)', () => {
  it('a producer makes the session live, then logs media_started (with its producer id, which first_frame names); its clients are told of it first', async () => {
    const { room, settled, events } = await setUp();
    room.add(camera);
    expect(await settled(3)).toEqual(['push media:producer-added', '→ live', 'media_started']);
    const started = (await events()).find((e) => e.type === 'media_started');
    expect(started?.details).toEqual({ kind: 'video', source: 'camera', producerId: 'p1' });
  });

  it('the last producer gone: media_ended with its quality summary, then reconnecting; another left: still live', async () => {
    const { room, settled, log, events, sessions, id } = await setUp();
    room.add(camera);
    room.add({ producerId: 'p2', kind: 'audio', source: 'microphone' });
    await settled(5);
    log.length = 0;
    room.remove('p2');
    await settled(2);
    expect(log).toEqual(['push media:producer-closed', 'media_ended']);
    expect((await sessions.get(id)).status).toBe('live');
    room.remove('p1');
    // The summary and the transition are written side by side: either may come first.
    expect((await settled(5)).slice(2).sort()).toEqual(['media_ended', 'push media:producer-closed', '→ reconnecting']);
    const ended = (await events()).filter((e) => e.type === 'media_ended').map((e) => e.details);
    expect(ended[1]).toMatchObject({ kind: 'video', codec: 'video/VP8', minScore: 7 });
    expect((await events()).find((e) => e.type === 'reconnecting')?.details).toEqual({ reason: 'caller media stopped' });
  });

  it("the caller's network lost and back: reconnecting, then live again", async () => {
    const { room, settled, log, sessions, id } = await setUp();
    room.add(camera);
    await settled(3);
    log.length = 0;
    room.emit('producer-connectivity', 'p1', false);
    await settled(1);
    expect((await sessions.get(id)).status).toBe('reconnecting');
    room.emit('producer-connectivity', 'p1', true);
    expect(await settled(2)).toEqual(['→ reconnecting', '→ live']);
  });

  it('tells the clients the codecs wanted of the caller, and logs nothing for them', async () => {
    const { room, log } = await setUp();
    room.codecs.emit('changed', ['video/H264', 'video/VP8']);
    expect(log).toEqual(['push media:video-codecs']);
  });

  it('a room that closes while its session goes on here: media reset told, then logged with the worker', async () => {
    const { room, settled, events } = await setUp();
    room.emit('closed', 'worker-died');
    expect(await settled(2)).toEqual(['push session:media-reset', 'media_reset']);
    expect((await events()).at(-1)?.details).toEqual({ reason: 'media worker died', worker: 2 });
  });

  it('a room that closes after its session ended, or moved to another node, resets nothing', async () => {
    const ended = await setUp();
    await ended.sessions.end(ended.id, 'dispatcher:d', 'done');
    ended.log.length = 0;
    ended.room.emit('closed', 'closed');
    const moved = await setUp('node-b');
    moved.room.emit('closed', 'closed');
    await new Promise((r) => setTimeout(r, 50));
    expect(ended.log).toEqual([]);
    expect(moved.log).toEqual([]);
  });

  it('a takeover of a live session: reconnecting, media_reset (from, to), then the clients are told to rebuild', async () => {
    const { states, room, settled, log, id, events } = await setUp('node-a');
    room.add(camera);
    await settled(3);
    log.length = 0;
    await states.takeover(id, 'node-gone');
    expect(log).toEqual(['→ reconnecting', 'media_reset', 'push session:media-reset']);
    expect((await events()).at(-1)?.details).toEqual({ reason: 'media node lost', from: 'node-gone', to: 'node-a' });
  });

  it('a takeover of an ended session does nothing', async () => {
    const { states, sessions, id, log } = await setUp();
    await sessions.end(id, 'dispatcher:d', 'done');
    log.length = 0;
    await states.takeover(id, 'node-gone');
    expect(log).toEqual([]);
  });
});

describe('MediaStates: the show-me picture (issue #15 §1)', () => {
  it('logs show_me_ended with its reason and tells the session what is shown now, without touching the status', async () => {
    const { room, log, settled, events } = await setUp();
    room.add(camera);
    await settled(4);
    const before = log.length;
    room.emit('show-me-closed', { producerId: 'sm1', source: 'cpr-hands' }, 'caller_closed');
    await settled(before + 2);
    expect(log.slice(before)).toEqual(['show_me_ended', 'push show-me:changed']);
    const ended = (await events()).find((e) => e.type === 'show_me_ended');
    expect(ended?.details).toEqual({ source: 'cpr-hands', reason: 'caller_closed' });
    expect((await events()).filter((e) => e.type === 'reconnecting')).toEqual([]);
  });
});
