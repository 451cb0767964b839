import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReceivePolicy } from './ReconnectPolicy.js';
import { Reconnector } from './Reconnector.js';

const timing = { graceMs: 1500, stepMs: 5000 };

/** The receive side's rejoin is a rebuild of its transport and consumers: these tests name it so. */
type RecoveryStep = 'restart-ice' | 'rebuild';

function harness(opts: { restartFails?: boolean } = {}) {
  const state = { connected: true, wanted: true };
  const taken: RecoveryStep[] = [];
  const recovery = new Reconnector(
    {
      restartIce: async () => {
        if (opts.restartFails) throw new Error('no such transport');
      },
      rejoin: async () => undefined,
      connected: () => state.connected,
      wanted: () => state.wanted,
    },
    new ReceivePolicy(timing),
  );
  recovery.onStep((step) => taken.push(step === 'rejoin' ? 'rebuild' : step));
  return { state, taken, recovery };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('ReceivePolicy, kept by a Reconnector (console and viewer receive transports)', () => {
  it('does nothing for a hiccup that heals within the grace', async () => {
    const { state, taken, recovery } = harness();
    state.connected = false;
    recovery.onState('disconnected');
    await vi.advanceTimersByTimeAsync(1000);
    state.connected = true;
    recovery.onState('connected');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(taken).toEqual([]);
  });

  it('restarts ICE after the grace, and stops once connected again', async () => {
    const { state, taken, recovery } = harness();
    state.connected = false;
    recovery.onState('disconnected');
    await vi.advanceTimersByTimeAsync(1500);
    expect(taken).toEqual(['restart-ice']);
    state.connected = true;
    recovery.onState('connected');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(taken).toEqual(['restart-ice']);
  });

  it('rebuilds when the restart did not bring the path back, then keeps restarting ICE every step', async () => {
    const { state, taken, recovery } = harness();
    state.connected = false;
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(taken).toEqual(['restart-ice']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(taken).toEqual(['restart-ice', 'rebuild']);
    await vi.advanceTimersByTimeAsync(15_000);
    expect(taken).toEqual(['restart-ice', 'rebuild', 'restart-ice', 'restart-ice', 'restart-ice']);
    // A `failed` inside a step's window does not hurry the next step (no spinning).
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(100);
    expect(taken).toHaveLength(5);
    state.connected = true;
    recovery.onState('connected');
    // The next outage starts again from an ICE restart.
    state.connected = false;
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(0);
    expect(taken.slice(5)).toEqual(['restart-ice']);
  });

  it('rebuilds again when a restart cannot even be asked for', async () => {
    const { state, taken, recovery } = harness({ restartFails: true });
    state.connected = false;
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(taken).toEqual(['restart-ice', 'rebuild', 'restart-ice']);
    await vi.advanceTimersByTimeAsync(5000);
    expect(taken).toEqual(['restart-ice', 'rebuild', 'restart-ice', 'rebuild']);
  });

  it('leaves a transport with nothing to receive alone, and stops for good once closed', async () => {
    const { state, taken, recovery } = harness();
    state.connected = false;
    state.wanted = false;
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(taken).toEqual([]);
    state.wanted = true;
    recovery.close();
    recovery.onState('failed');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(taken).toEqual([]);
  });
});
