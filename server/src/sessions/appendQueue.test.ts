import { describe, expect, it } from 'vitest';
import type { SessionEvent } from '@sightline/shared';
import { RateLimitedError } from '../errors.js';
import type { SmsProvider } from '../sms/SmsProvider.js';
import { sessionServices } from '../testing/sessionServices.js';
import { AppendQueueFullError, BOUNDED } from './SessionService.js';

const sms = { name: 'console', send: async () => ({}) } as unknown as SmsProvider;

/** A log whose writes wait, while `held`, until released: an fsync on a slow disk. */
function slowLog() {
  const log = {
    held: false,
    waiting: [] as (() => void)[],
    appendSession: () => (log.held ? new Promise<void>((resolve) => log.waiting.push(resolve)) : Promise.resolve()),
    readSession: async (): Promise<SessionEvent[]> => [],
    release() {
      log.held = false;
      for (const go of log.waiting.splice(0)) go();
    },
  };
  return log;
}

describe('the session log append queue (issue #11 item 2)', () => {
  it('refuses what a client sent once the queue is full, still queues lifecycle records, and takes more once it drains', async () => {
    const log = slowLog();
    const opts = { eventLog: log, appendQueueLimit: 4 };
    const { sessions, invites } = sessionServices({ sms, sessions: opts });
    const { id } = await invites.create('disp', { phone: '+4791234567' });

    log.held = true;
    const chats = Array.from({ length: 10 }, (_, i) =>
      sessions.record(id, 'chat', 'caller', { text: `m${i}` }, BOUNDED).then(
        () => 'ok',
        (e: unknown) => e,
      ),
    );
    const lifecycle = sessions.record(id, 'media_started', 'system', { kind: 'video' });
    await new Promise((r) => setTimeout(r, 20));
    log.release();
    const outcomes = await Promise.all(chats);
    await lifecycle;

    const refused = outcomes.filter((o) => o instanceof AppendQueueFullError);
    expect(outcomes.filter((o) => o === 'ok')).toHaveLength(4);
    expect(refused).toHaveLength(6);
    expect(refused[0]).toBeInstanceOf(RateLimitedError);
    expect((refused[0] as RateLimitedError).code).toBe('rate_limited');
    await sessions.record(id, 'chat', 'caller', { text: 'after' }, BOUNDED);
  });
});
