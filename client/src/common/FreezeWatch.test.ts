import { describe, expect, it } from 'vitest';
import { FreezeWatch } from './FreezeWatch.js';

/** Feeds `watch` a 20 fps stream with 3 packets a frame, sampled every 100 ms, from `from` to `to` ms. */
function play(watch: FreezeWatch, from: number, to: number, state: { frames: number; packets: number }): boolean[] {
  const asks: boolean[] = [];
  for (let at = from; at <= to; at += 100) {
    state.frames += 2;
    state.packets += 6;
    asks.push(watch.observe({ at, framesDecoded: state.frames, packetsReceived: state.packets }));
  }
  return asks;
}

describe('FreezeWatch', () => {
  it('never asks while frames keep decoding', () => {
    const watch = new FreezeWatch();
    expect(play(watch, 0, 5000, { frames: 0, packets: 0 })).not.toContain(true);
  });

  it('asks once the picture has stopped for the stall time while packets still arrive, then at most once per retry time', () => {
    const watch = new FreezeWatch(250, 1000);
    const state = { frames: 0, packets: 0 };
    play(watch, 0, 1000, state);
    const asks: number[] = [];
    for (let at = 1100; at <= 3000; at += 100) {
      state.packets += 6;
      if (watch.observe({ at, framesDecoded: state.frames, packetsReceived: state.packets })) asks.push(at);
    }
    expect(asks).toEqual([1300, 2300]);
  });

  it('does not ask when no packets arrive either (a paused or cut-off sender)', () => {
    const watch = new FreezeWatch();
    const state = { frames: 0, packets: 0 };
    play(watch, 0, 1000, state);
    for (let at = 1100; at <= 4000; at += 100) expect(watch.observe({ at, framesDecoded: state.frames, packetsReceived: state.packets })).toBe(false);
  });

  it('waits 3 frame intervals at a low frame rate (a dark camera at 2 fps)', () => {
    const watch = new FreezeWatch(250, 1000);
    let frames = 0;
    let packets = 0;
    for (let at = 0; at <= 5000; at += 100) {
      packets += 1;
      if (at % 500 === 0) frames += 1;
      expect(watch.observe({ at, framesDecoded: frames, packetsReceived: packets })).toBe(false);
    }
    packets += 1;
    expect(watch.observe({ at: 6500, framesDecoded: frames, packetsReceived: packets })).toBe(true);
  });

  it('starts over when the counters go back (a new consumer)', () => {
    const watch = new FreezeWatch(250, 1000);
    play(watch, 0, 1000, { frames: 100, packets: 300 });
    // The new consumer's counters start low: no ask for the drop itself...
    expect(watch.observe({ at: 1100, framesDecoded: 0, packetsReceived: 5 })).toBe(false);
    const state = { frames: 0, packets: 5 };
    expect(play(watch, 1200, 2000, state)).not.toContain(true);
    // ...and its own stall is seen as before.
    expect(watch.observe({ at: 2300, framesDecoded: state.frames, packetsReceived: state.packets + 6 })).toBe(true);
  });
});
