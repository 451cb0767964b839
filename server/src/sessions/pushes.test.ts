import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '@sightline/shared';
import type { SmsProvider } from '../sms/SmsProvider.js';
import { MemoryStore } from '../store/MemoryStore.js';
import { sessionServices } from '../testing/sessionServices.js';
import type { SessionPush } from './projections.js';
import { AppendQueueFullError } from './SessionService.js';

const sms = { name: 'console', send: async () => ({}) } as unknown as SmsProvider;

/** A durable log whose appends finish when the test says so. */
function heldLog() {
  const held: (() => void)[] = [];
  const appended: SessionEvent[] = [];
  return {
    held,
    appended,
    appendSession: (_id: string, event: SessionEvent) =>
      new Promise<void>((r) =>
        held.push(() => {
          appended.push(event);
          r();
        }),
      ),
    readSession: async (): Promise<SessionEvent[]> => [],
  };
}

const until = async (ok: () => boolean) => {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 1));
};

/** A record's push (issue #13, item 2): the one way a session's clients hear of what was logged. */
describe('SessionService pushes', () => {
  const chat = (text: string): SessionPush => ({ name: 'chat:message', payload: { sessionId: 'x', message: { id: text, from: 'caller', text, at: '' } } });

  it("sends a record's push only once its event is in the durable log, right after the event, before the record resolves", async () => {
    const log = heldLog();
    const { sessions, invites } = sessionServices({ sms, sessions: { eventLog: log } });
    const seen: string[] = [];
    sessions.on('event', (_id, _status, e) => seen.push(`event ${e.type}`));
    sessions.on('push', (_id, p) => seen.push(`push ${p.name}`));
    const created = invites.create('disp', { phone: '+4791234567' });
    await until(() => log.held.length === 1);
    log.held.shift()!();
    await until(() => log.held.length === 1);
    log.held.shift()!(); // sms_resend or the link status
    const s = await created;
    seen.length = 0;

    let resolved = false;
    const recorded = sessions.record(s.id, 'chat', 'caller', { text: 'hi' }, { bounded: true, push: chat('hi') }).then(() => (resolved = true));
    await until(() => log.held.length === 1);
    expect(seen).toEqual([]);
    log.held.shift()!();
    await recorded;
    expect(log.appended.at(-1)?.type).toBe('chat');
    expect(seen).toEqual(['event chat', 'push chat:message']);
    expect(resolved).toBe(true);
  });

  it('sends no push for a record that is refused or whose write fails', async () => {
    const store = new MemoryStore();
    const { sessions, invites } = sessionServices({ store, sms, sessions: { appendQueueLimit: 0 } });
    const s = await invites.create('disp', { phone: '+4791234567' });
    const pushes: string[] = [];
    sessions.on('push', (_id, p) => pushes.push(p.name));
    await expect(sessions.record(s.id, 'chat', 'caller', { text: 'hi' }, { bounded: true, push: chat('hi') })).rejects.toBeInstanceOf(AppendQueueFullError);
    store.appendEvent = async () => {
      throw new Error('disk gone');
    };
    await expect(sessions.record(s.id, 'snapshot', 'system', {}, { push: chat('x') })).rejects.toThrow('disk gone');
    expect(pushes).toEqual([]);
  });

  it('a listener that throws or rejects fails neither the record (already durable) nor the listeners after it', async () => {
    const { sessions, invites } = sessionServices({ sms });
    const s = await invites.create('disp', { phone: '+4791234567' });
    const heard: string[] = [];
    sessions.on('event', () => {
      throw new Error('listener broke');
    });
    sessions.on('event', async () => {
      throw new Error('async listener broke');
    });
    sessions.on('event', (_id, _status, e) => heard.push(`event ${e.type}`));
    sessions.once('push', (_id, p) => heard.push(`push ${p.name}`));
    await sessions.record(s.id, 'chat', 'caller', { text: 'hi' }, { push: chat('hi') });
    await sessions.record(s.id, 'chat', 'caller', { text: 'again' }, { push: chat('again') });
    expect(heard).toEqual(['event chat', 'push chat:message', 'event chat']);
    expect((await sessions.events(s.id)).filter((e) => e.type === 'chat')).toHaveLength(2);
  });

  it('tells the clients at once what is not logged', async () => {
    const { sessions } = sessionServices({ sms });
    const pushes: [string, string][] = [];
    sessions.on('push', (id, p) => pushes.push([id, p.name]));
    sessions.tell('s1', { name: 'caller:media', payload: { sessionId: 's1', paused: true, facing: 'user' } });
    expect(pushes).toEqual([['s1', 'caller:media']]);
  });
});
