import { randomUUID } from 'node:crypto';
import type { ChatMessage } from '@sightline/shared';
import { actorOf, memberRole } from '../../sessions/access.js';
import { defineHandler } from '../types.js';

/**
 * Chat between dispatcher, caller and viewers. Every message is in the session log (the transcript).
 * A caller's or viewer's line is refused when the session's log queue is full; the dispatcher's queues.
 * The line goes out to the session once it is logged, and the sender's ack only after that.
 */
export const sendChat = defineHandler({
  name: 'chat:send',
  action: 'chat',
  budget: 'chat',
  logs: true,
  async handle({ principal, session, services }, { text, presetId }) {
    const role = memberRole(principal);
    const message: ChatMessage = {
      id: randomUUID(),
      from: role === 'supervisor' ? 'dispatcher' : role,
      text,
      ...(presetId && { presetId }),
      at: new Date().toISOString(),
    };
    await services.sessions.record(
      session.id,
      'chat',
      actorOf(principal),
      { id: message.id, from: message.from, text, presetId },
      {
        bounded: principal.typ !== 'staff',
        push: { name: 'chat:message', payload: { sessionId: session.id, message } },
      },
    );
    return { message };
  },
});
