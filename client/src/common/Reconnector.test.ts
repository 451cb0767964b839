import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SignallingError } from './signalling.js';
import { SendPolicy, type RecoveryStep } from './ReconnectPolicy.js';
import { Reconnector } from './Reconnector.js';

/** A publisher's transport as the Reconnector sees it; every step taken is logged with the fake clock's time. */
function harness() {
  const state = { connected: true, restartFails: false, restartAnswer: undefined as Promise<void> | undefined, rejoinErrors: [] as Error[] };
  const taken: [RecoveryStep, number][] = [];
  const gaveUp: unknown[] = [];
  const start = Date.now();
  const recovery = new Reconnector(
    {
      restartIce: async () => {
        if (state.restartAnswer) await state.restartAnswer;
        if (state.restartFails) throw new Error('no answer');
      },
      rejoin: async () => {
        const err = state.rejoinErrors.shift();
        if (err) throw err;
      },
      connected: () => state.connected,
    },
    new SendPolicy({ graceMs: 1500, stepMs: 5000 }),
  );
  recovery.onStep((step) => taken.push([step, Date.now() - start]));
  recovery.onGiveUp((err) => gaveUp.push(err));
  return { state, taken, gaveUp, recovery };
}

const busy = () => new SignallingError('unavailable', 'store down');

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Reconnector with the SendPolicy (the caller)', () => {
  it('restarts ICE after the grace, rejoins a step later, then backs off 0.5, 1, 2, 4, 4 s between failed rejoins', async () => {
    const { state, taken, recovery } = harness();
    state.connected = false;
    state.rejoinErrors = [busy(), busy(), busy(), busy(), busy()];
    recovery.onState('disconnected');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(taken).toEqual([
      ['restart-ice', 1500],
      ['rejoin', 6500],
      ['rejoin', 7000],
      ['rejoin', 8000],
      ['rejoin', 10_000],
      ['rejoin', 14_000],
      ['rejoin', 18_000],
    ]);
    // The last rejoin worked: nothing more until the new transport says how it is.
    expect(recovery.rejoining).toBe(false);
  });

  it('starts from an ICE restart and the shortest back-off again after the path came back', async () => {
    const { state, taken, recovery } = harness();
    state.connected = false;
    state.rejoinErrors = [busy(), busy()];
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(1000);
    expect(taken.map(([s]) => s)).toEqual(['rejoin', 'rejoin']);
    expect(recovery.rejoining).toBe(true);
    state.connected = true;
    recovery.onState('connected');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(taken).toHaveLength(2);
    taken.length = 0;
    const at = Date.now();
    state.connected = false;
    state.rejoinErrors = [busy()];
    recovery.onState('disconnected');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(taken.map(([s, t]) => [s, t - at])).toEqual([
      ['restart-ice', 1500],
      ['rejoin', 6500],
      ['rejoin', 7000],
    ]);
  });

  it('rejoins at once when the restart cannot be asked for, and not at all when the path came back meanwhile', async () => {
    const { state, taken, recovery } = harness();
    state.connected = false;
    state.restartFails = true;
    recovery.onState('disconnected');
    await vi.advanceTimersByTimeAsync(1500);
    expect(taken).toEqual([
      ['restart-ice', 1500],
      ['rejoin', 1500],
    ]);
    state.restartFails = false;
    recovery.onState('disconnected');
    await vi.advanceTimersByTimeAsync(1500);
    // ICE healed by itself within the restart's window: the transport carrying media stays.
    state.connected = true;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(taken.map(([s]) => s)).toEqual(['restart-ice', 'rejoin', 'restart-ice']);
  });

  it('rejoins when the server lost the transports though the path looks connected, and once for several losses', async () => {
    const { state, taken, recovery } = harness();
    state.rejoinErrors = [busy()];
    recovery.lost();
    recovery.lost();
    await vi.advanceTimersByTimeAsync(100);
    recovery.lost(); // waiting out the back-off: taken along
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(taken).toEqual([
      ['rejoin', 0],
      ['rejoin', 500],
    ]);
  });

  it('gives up when the server refuses for good, and tells its observers with the refusal', async () => {
    const { state, taken, gaveUp, recovery } = harness();
    state.connected = false;
    const ended = new SignallingError('gone', 'session ended', 'ended');
    state.rejoinErrors = [busy(), ended];
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(taken.map(([s]) => s)).toEqual(['rejoin', 'rejoin']);
    expect(gaveUp).toEqual([ended]);
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(taken).toHaveLength(2);
  });

  it('rejoins as soon as a restart being asked for is answered, when the transport failed meanwhile', async () => {
    const { state, taken, recovery } = harness();
    state.connected = false;
    let answer = () => {};
    state.restartAnswer = new Promise<void>((r) => (answer = r));
    recovery.onState('disconnected');
    await vi.advanceTimersByTimeAsync(1500);
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(3000);
    expect(taken).toEqual([['restart-ice', 1500]]);
    answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(taken).toEqual([
      ['restart-ice', 1500],
      ['rejoin', 4500],
    ]);
  });

  it('keeps recovering when an observer throws', async () => {
    const { state, taken, recovery } = harness();
    recovery.onStep(() => {
      throw new Error('broken monitor');
    });
    state.connected = false;
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(taken.map(([s]) => s)).toEqual(['rejoin']);
  });
});
