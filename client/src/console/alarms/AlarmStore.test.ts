import { describe, expect, it } from 'vitest';
import { AlarmStore, type AlarmChange } from './AlarmStore.js';

function store() {
  let t = 1000;
  const s = new AlarmStore(() => t++);
  const changes: AlarmChange[] = [];
  s.observe((c) => changes.push(c));
  return { s, changes };
}

describe('AlarmStore', () => {
  it('keeps one item per session and kind, counting repeats and showing the latest words', () => {
    const { s, changes } = store();
    s.raise({ sessionId: 'a', kind: 'caller-message', text: 'hello' });
    s.raise({ sessionId: 'a', kind: 'caller-message', text: 'Han puster ikke' });
    expect(s.pending()).toHaveLength(1);
    expect(s.pending()[0]).toMatchObject({ text: 'Han puster ikke', count: 2, severity: 'message' });
    expect(s.unread('a')).toBe(2);
    expect(changes.map((c) => [c.type, c.type === 'raised' && c.repeat])).toEqual([
      ['raised', false],
      ['raised', true],
    ]);
  });

  it('puts alarms before messages before warnings, newest first within each', () => {
    const { s } = store();
    s.raise({ sessionId: 'a', kind: 'expiry', text: 'link expires' });
    s.raise({ sessionId: 'b', kind: 'caller-message', text: 'hi' });
    s.raise({ sessionId: 'c', kind: 'video-lost', text: 'VIDEO LOST' });
    s.raise({ sessionId: 'd', kind: 'no-video', text: 'no video' });
    expect(s.pending().map((a) => a.sessionId)).toEqual(['d', 'c', 'b', 'a']);
  });

  it('acknowledging takes an item off the strip, but an alarm condition still marks the session until cleared', () => {
    const { s } = store();
    s.raise({ sessionId: 'a', kind: 'video-lost', text: 'VIDEO LOST' });
    s.raise({ sessionId: 'a', kind: 'caller-message', text: 'help' });
    s.acknowledge('a');
    expect(s.pending()).toEqual([]);
    expect(s.unread('a')).toBe(0);
    expect(s.hasAlarm('a')).toBe(true);
    s.clear('a', 'video-lost');
    expect(s.hasAlarm('a')).toBe(false);
    // A new message after the acknowledgement counts from one again and is back on the strip.
    s.raise({ sessionId: 'a', kind: 'caller-message', text: 'again' });
    expect(s.pending()[0]).toMatchObject({ count: 1, acknowledged: false });
  });

  it('clears every item of a session without a kind, and tells observers even if one throws', () => {
    const { s, changes } = store();
    s.observe(() => {
      throw new Error('broken observer');
    });
    s.raise({ sessionId: 'a', kind: 'video-lost', text: 'x' });
    s.raise({ sessionId: 'a', kind: 'expiry', text: 'y' });
    s.raise({ sessionId: 'b', kind: 'expiry', text: 'z' });
    s.clear('a');
    expect(s.forSession('a')).toEqual([]);
    expect(s.forSession('b')).toHaveLength(1);
    expect(changes.filter((c) => c.type === 'cleared')).toHaveLength(2);
  });
});
