import { describe, expect, it } from 'vitest';
import { VideoState } from '../../common/VideoState.js';
import { AlarmStore, type AlarmChange } from '../alarms/AlarmStore.js';
import { routeVideoAlarms } from './videoAlarms.js';

function setup() {
  const store = new AlarmStore(() => 0);
  const changes: string[] = [];
  store.observe((c: AlarmChange) => changes.push(`${c.type} ${c.alarm.kind}`));
  const v = new VideoState(0);
  routeVideoAlarms('s1', v, store);
  return { store, changes, v };
}

describe('routeVideoAlarms', () => {
  it('raises no-video for a screen that never decodes, and clears it at the first frame', () => {
    const { store, changes, v } = setup();
    v.session('live', 0);
    v.tick(5_000);
    expect(store.pending().map((a) => [a.kind, a.text])).toEqual([['no-video', 'NO VIDEO on this screen — nothing received']]);
    v.frames(10, 6_000);
    expect(store.pending()).toEqual([]);
    expect(changes).toEqual(['raised no-video', 'cleared no-video']);
  });

  it('raises video-lost once for a freeze that turns into the caller gone, and clears it when the picture is back', () => {
    const { store, changes, v } = setup();
    v.session('live', 0);
    v.frames(10, 1_000);
    v.frames(10, 4_000);
    v.session('reconnecting', 5_000);
    expect(store.hasAlarm('s1')).toBe(true);
    v.session('live', 9_000);
    v.frames(50, 10_000);
    expect(changes).toEqual(['raised video-lost', 'cleared video-lost']);
  });

  it('raises nothing for a caller pause, and clears an alarm when the session ends', () => {
    const { store, changes, v } = setup();
    v.session('live', 0);
    v.frames(10, 1_000);
    v.callerPaused(true, 1_500);
    v.tick(60_000);
    expect(changes).toEqual([]);
    v.session('reconnecting', 61_000);
    v.session('ended', 62_000);
    expect(store.pending()).toEqual([]);
    expect(changes).toEqual(['raised video-lost', 'cleared video-lost']);
  });
});
