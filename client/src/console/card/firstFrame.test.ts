import { describe, expect, it, vi } from 'vitest';
import { watchFirstFrame } from './firstFrame.js';

/** The part of a <video> the watch uses: frame callbacks where the browser has them, and events. */
function fakeVideo(withFrameCallbacks: boolean) {
  const frames = new Map<number, () => void>();
  const listeners = new Map<string, Set<() => void>>();
  let next = 1;
  const video = {
    ...(withFrameCallbacks && {
      requestVideoFrameCallback: (cb: () => void) => {
        frames.set(next, cb);
        return next++;
      },
      cancelVideoFrameCallback: (handle: number) => frames.delete(handle),
    }),
    addEventListener: (name: string, cb: () => void) => listeners.set(name, (listeners.get(name) ?? new Set()).add(cb)),
    removeEventListener: (name: string, cb: () => void) => listeners.get(name)?.delete(cb),
  };
  const present = () => {
    const due = [...frames.values()];
    frames.clear();
    for (const cb of due) cb();
    for (const cb of [...(listeners.get('loadeddata') ?? [])]) cb();
  };
  return { video: video as unknown as HTMLVideoElement, present, pending: () => frames.size + (listeners.get('loadeddata')?.size ?? 0) };
}

describe('watchFirstFrame: the console sees the first frame of a stream', () => {
  it.each([true, false])('tells once, at the first frame presented (frame callbacks: %s)', (withFrameCallbacks) => {
    const v = fakeVideo(withFrameCallbacks);
    const seen = vi.fn();
    watchFirstFrame(v.video, seen);
    expect(seen).not.toHaveBeenCalled();
    v.present();
    v.present();
    expect(seen).toHaveBeenCalledTimes(1);
    expect(v.pending()).toBe(0);
  });

  it('tells nothing once cancelled (a newer stream took the picture before this one showed a frame)', () => {
    const v = fakeVideo(true);
    const seen = vi.fn();
    const cancel = watchFirstFrame(v.video, seen);
    cancel();
    v.present();
    expect(seen).not.toHaveBeenCalled();
  });
});
