import { describe, expect, it } from 'vitest';
import { framesDecodedIn, VideoState, type VideoStateSnapshot } from './VideoState.js';

/** A screen that started watching at t=0, with every change it announced. */
function screen() {
  const v = new VideoState(0);
  const seen: VideoStateSnapshot[] = [];
  v.onChange((s) => seen.push(s));
  const view = () => ({ state: v.current.state, alarm: v.current.alarm });
  return { v, seen, view };
}

/** The server says live at `at` and this screen decodes frames steadily until `until` (every second). */
function liveUntil(v: VideoState, at: number, until: number): number {
  v.session('live', at);
  let frames = 0;
  for (let t = at; t <= until; t += 1000) v.frames((frames += 30), t);
  return frames;
}

describe('VideoState', () => {
  it('waits without alarm while the server does not say live, whatever the time', () => {
    const { v, view } = screen();
    v.session('sms_sent', 0);
    v.tick(60_000);
    v.session('camera_granted', 61_000);
    v.tick(120_000);
    expect(view()).toEqual({ state: 'connecting', alarm: undefined });
    expect(v.current.waiting).toBe(true);
  });

  it('connecting → live at the first decoded frame, the timer counting from when the server said live', () => {
    const { v, seen, view } = screen();
    v.session('camera_granted', 0);
    v.session('live', 10_000);
    expect(v.current).toMatchObject({ state: 'connecting', waiting: false, since: 10_000, alarm: undefined });
    v.producer(true, 10_200);
    v.frames(0, 11_000);
    expect(view().state).toBe('connecting');
    v.frames(12, 12_000);
    expect(view()).toEqual({ state: 'live', alarm: undefined });
    expect(v.current.since).toBe(12_000);
    expect(seen.map((s) => s.state)).toEqual(['connecting', 'live']);
  });

  it('a screen that never decodes alarms no-frame at the bound after the server said live, and not before', () => {
    const { v, view } = screen();
    v.session('live', 1_000);
    v.producer(true, 1_100);
    v.frames(0, 5_000);
    expect(view()).toEqual({ state: 'connecting', alarm: undefined });
    v.tick(6_099);
    expect(view().alarm).toBeUndefined();
    v.frames(0, 6_100);
    expect(view()).toEqual({ state: 'connecting', alarm: 'no-frame' });
    // The timer still counts from the server's live, alarm or not.
    expect(v.current.since).toBe(1_000);
    v.frames(5, 9_000);
    expect(view()).toEqual({ state: 'live', alarm: undefined });
  });

  it('a screen opened on a session already live (a reload) counts the bound from its own start', () => {
    const v = new VideoState(50_000);
    v.session('live', 50_010);
    v.tick(54_000);
    expect(v.current.alarm).toBeUndefined();
    v.tick(55_010);
    expect(v.current).toMatchObject({ state: 'connecting', alarm: 'no-frame' });
  });

  it('live → lost (stalled) when frames stop for the stall bound while the caller did not pause, and back to live', () => {
    const { v, view } = screen();
    const frames = liveUntil(v, 0, 10_000);
    v.frames(frames, 11_000);
    v.frames(frames, 12_000);
    expect(view().state).toBe('live');
    v.frames(frames, 13_000);
    expect(view()).toEqual({ state: 'lost', alarm: 'stalled' });
    v.frames(frames + 3, 14_000);
    expect(view()).toEqual({ state: 'live', alarm: undefined });
  });

  it('live → paused → live without any alarm, however long the pause and whatever the frames do', () => {
    const { v, seen } = screen();
    const frames = liveUntil(v, 0, 5_000);
    v.callerPaused(true, 5_500);
    for (let t = 6_000; t < 120_000; t += 1000) v.frames(frames, t);
    expect(v.current).toMatchObject({ state: 'paused', alarm: undefined, since: 5_500 });
    v.callerPaused(false, 120_000);
    expect(v.current.state).toBe('live');
    v.frames(frames + 20, 121_000);
    expect(seen.map((s) => [s.state, s.alarm])).toEqual([
      ['connecting', undefined],
      ['live', undefined],
      ['paused', undefined],
      ['live', undefined],
    ]);
  });

  it('after a resume, frames that do not come back within the stall bound are lost', () => {
    const { v } = screen();
    const frames = liveUntil(v, 0, 5_000);
    v.callerPaused(true, 6_000);
    v.callerPaused(false, 60_000);
    v.frames(frames, 62_000);
    expect(v.current.state).toBe('live');
    v.frames(frames, 63_000);
    expect(v.current).toMatchObject({ state: 'lost', alarm: 'stalled' });
  });

  it('a pause before the first frame: no alarm while paused, the no-frame bound restarts at the resume', () => {
    const { v, view } = screen();
    v.session('live', 0);
    v.callerPaused(true, 1_000);
    v.tick(30_000);
    expect(view()).toEqual({ state: 'paused', alarm: undefined });
    v.callerPaused(false, 30_000);
    v.tick(34_000);
    expect(view()).toEqual({ state: 'connecting', alarm: undefined });
    v.tick(35_000);
    expect(view()).toEqual({ state: 'connecting', alarm: 'no-frame' });
  });

  it('the server saying reconnecting is lost (caller-gone) even while paused or before any frame; live again needs frames', () => {
    const { v, view } = screen();
    const frames = liveUntil(v, 0, 3_000);
    v.callerPaused(true, 3_500);
    v.session('reconnecting', 4_000);
    expect(view()).toEqual({ state: 'lost', alarm: 'caller-gone' });
    v.callerPaused(false, 5_000);
    v.session('live', 20_000);
    expect(view()).toEqual({ state: 'lost', alarm: 'stalled' });
    v.producer(true, 20_100);
    expect(view().state).toBe('lost');
    v.frames(20, 21_000); // a new consumer: its counter started again
    expect(view()).toEqual({ state: 'live', alarm: undefined });
    expect(frames).toBeGreaterThan(20);

    const fresh = screen();
    fresh.v.session('reconnecting', 0);
    expect(fresh.view()).toEqual({ state: 'lost', alarm: 'caller-gone' });
  });

  it('a new stream while live (a codec switch) gets the stall bound afresh', () => {
    const { v } = screen();
    const frames = liveUntil(v, 0, 5_000);
    v.producer(true, 5_000);
    v.producer(false, 7_000);
    v.producer(true, 7_500);
    v.frames(frames, 10_000);
    expect(v.current.state).toBe('live');
    v.frames(frames, 10_500);
    expect(v.current).toMatchObject({ state: 'lost', alarm: 'stalled' });
  });

  it('ended is final, from any state', () => {
    for (const setup of [
      (v: VideoState) => v.session('created', 0),
      (v: VideoState) => liveUntil(v, 0, 2_000),
      (v: VideoState) => (liveUntil(v, 0, 2_000), v.callerPaused(true, 2_500)),
      (v: VideoState) => v.session('reconnecting', 0),
    ]) {
      const { v, view } = screen();
      setup(v);
      v.session('ended', 3_000);
      expect(view()).toEqual({ state: 'ended', alarm: undefined });
      v.session('live', 4_000);
      v.frames(999, 5_000);
      v.callerPaused(false, 6_000);
      expect(view()).toEqual({ state: 'ended', alarm: undefined });
    }
  });

  it('tells each observer once a change, with the state before; a throwing observer does not silence the rest', () => {
    const v = new VideoState(0);
    const heard: string[] = [];
    v.onChange(() => {
      throw new Error('broken');
    });
    const stop = v.onChange((s, prev) => heard.push(`${prev.state}→${s.state}`));
    v.session('live', 0);
    v.frames(10, 1_000);
    v.frames(20, 2_000);
    stop();
    v.session('ended', 3_000);
    // Waiting for the caller, then the server saying live, then the first frame.
    expect(heard).toEqual(['connecting→connecting', 'connecting→live']);
  });
});

describe('framesDecodedIn', () => {
  it('reads inbound video only, undefined without it', () => {
    const report = (stats: object[]) => new Map(stats.map((s, i) => [String(i), s])) as unknown as RTCStatsReport;
    expect(framesDecodedIn(undefined)).toBeUndefined();
    expect(framesDecodedIn(report([{ type: 'inbound-rtp', kind: 'audio' }]))).toBeUndefined();
    expect(framesDecodedIn(report([{ type: 'inbound-rtp', kind: 'video', framesDecoded: 42 }]))).toBe(42);
    expect(framesDecodedIn(report([{ type: 'inbound-rtp', kind: 'video' }]))).toBe(0);
  });
});
