import { describe, expect, it } from 'vitest';
import { onTransportsLost, type SignallingSocket } from './signalling.js';

/** Just enough of a socket.io socket to fire its events by hand. */
function fakeSocket() {
  const handlers = new Map<string, ((...args: unknown[]) => void)[]>();
  const on = (name: string, fn: (...args: unknown[]) => void) => void handlers.set(name, [...(handlers.get(name) ?? []), fn]);
  const fire = (name: string, ...args: unknown[]) => handlers.get(name)?.forEach((fn) => fn(...args));
  return { socket: { on, io: { on: (name: string, fn: () => void) => on(`io:${name}`, fn) } } as unknown as SignallingSocket, fire };
}

describe('onTransportsLost', () => {
  it('names every session after a reconnect, and the one session whose media the server reset', () => {
    const { socket, fire } = fakeSocket();
    const lost: (string | undefined)[] = [];
    onTransportsLost(socket, (sessionId) => lost.push(sessionId));
    fire('io:reconnect');
    fire('session:media-reset', { sessionId: 's_abcdefgh', reason: 'media server restarted' });
    expect(lost).toEqual([undefined, 's_abcdefgh']);
  });
});
