import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { Observer } from './Observer.js';

interface TestEvents {
  'room-created': [room: { sessionId: string }];
  tick: [live: string[], lost: string[], resumed: boolean];
}

/** A logger that keeps its records (the level and message of each line). */
function recordingLog() {
  const lines: { level: number; msg: string; observer?: string; event?: string; err?: string }[] = [];
  const log = pino({ level: 'trace' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('Observer', () => {
  it('calls every subscriber, in the order they subscribed, with the arguments emitted', () => {
    const { log } = recordingLog();
    const observer = new Observer<TestEvents>('test', log);
    const calls: string[] = [];
    observer.on('room-created', (room) => void calls.push(`first ${room.sessionId}`));
    observer.on('room-created', (room) => void calls.push(`second ${room.sessionId}`));
    observer.on('tick', (live, lost, resumed) => void calls.push(`tick ${live.join()} ${lost.join()} ${resumed}`));
    observer.emit('room-created', { sessionId: 's_1' });
    observer.emit('tick', ['a', 'b'], ['c'], true);
    expect(calls).toEqual(['first s_1', 'second s_1', 'tick a,b c true']);
    expect(observer.listenerCount('room-created')).toBe(2);
  });

  it('logs a listener that throws and still calls the others, without failing the emitter', () => {
    const { log, lines } = recordingLog();
    const observer = new Observer<TestEvents>('RoomRegistry', log);
    const calls: string[] = [];
    observer.on('room-created', () => void calls.push('before'));
    observer.on('room-created', () => {
      throw new Error('listener bug');
    });
    observer.on('room-created', () => void calls.push('after'));
    expect(() => observer.emit('room-created', { sessionId: 's_1' })).not.toThrow();
    expect(calls).toEqual(['before', 'after']);
    expect(lines).toEqual([
      expect.objectContaining({ level: 50, msg: 'observer listener failed', observer: 'RoomRegistry', event: 'room-created', err: 'listener bug' }),
    ]);
  });

  it('logs a listener whose promise rejects, leaving no unhandled rejection', async () => {
    const { log, lines } = recordingLog();
    const observer = new Observer<TestEvents>('test', log);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      observer.on('room-created', async () => {
        throw new Error('async listener bug');
      });
      observer.emit('room-created', { sessionId: 's_1' });
      await new Promise((r) => setTimeout(r, 20));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
    expect(lines.map((l) => l.err)).toEqual(['async listener bug']);
  });

  it('emitAndWait runs the listeners one after another and resolves after the last, even when one rejects', async () => {
    const { log, lines } = recordingLog();
    const observer = new Observer<TestEvents>('NodeRegistry', log);
    const steps: string[] = [];
    observer.on('tick', async () => {
      await new Promise((r) => setTimeout(r, 10));
      steps.push('slow first');
    });
    observer.on('tick', async () => {
      steps.push('second');
      throw new Error('store out of reach');
    });
    observer.on('tick', () => void steps.push('third'));
    await expect(observer.emitAndWait('tick', [], [], false)).resolves.toBeUndefined();
    expect(steps).toEqual(['slow first', 'second', 'third']);
    expect(lines.map((l) => [l.event, l.err])).toEqual([['tick', 'store out of reach']]);
  });

  it('unsubscribes with the function on() returns or with off()', () => {
    const { log } = recordingLog();
    const observer = new Observer<TestEvents>('test', log);
    const calls: string[] = [];
    const a = () => void calls.push('a');
    const b = () => void calls.push('b');
    const stopA = observer.on('room-created', a);
    observer.on('room-created', b);
    stopA();
    observer.emit('room-created', { sessionId: 's_1' });
    observer.off('room-created', b);
    observer.emit('room-created', { sessionId: 's_2' });
    expect(calls).toEqual(['b']);
  });

  it('a listener that subscribes another during an emit changes the next emit, not this one', () => {
    const { log } = recordingLog();
    const observer = new Observer<TestEvents>('test', log);
    const calls: string[] = [];
    observer.on('room-created', () => {
      calls.push('first');
      observer.on('room-created', () => void calls.push('late'));
    });
    observer.emit('room-created', { sessionId: 's_1' });
    expect(calls).toEqual(['first']);
  });

  it('types event names and their arguments (npm run typecheck refuses the wrong ones below)', () => {
    const { log } = recordingLog();
    const observer = new Observer<TestEvents>('test', log);
    // Never called: each line is a type error the compiler must find. An unused @ts-expect-error is
    // itself an error, so `npm run typecheck` (part of the test command) fails if any of these compiles.
    const typeErrors = () => {
      // @ts-expect-error: no such event
      observer.on('room-closed', () => undefined);
      // @ts-expect-error: a tick's first argument is a list of nodes
      observer.emit('tick', 'a', [], true);
      // @ts-expect-error: a room-created listener gets a room, not a string
      observer.on('room-created', (room: string) => void room);
      // @ts-expect-error: a tick needs all three arguments
      void observer.emitAndWait('tick', []);
    };
    expect(typeof typeErrors).toBe('function');
  });
});
