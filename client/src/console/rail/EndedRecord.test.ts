import type { SessionEvent } from '@sightline/shared';
import { describe, expect, it } from 'vitest';
import { endedRecordOf } from './EndedRecord.js';

const at = (s: number) => new Date(s * 1000).toISOString();

describe('endedRecordOf', () => {
  it('keeps the last location, the chat in order and the end reason from the staff events', () => {
    const events: SessionEvent[] = [
      { seq: 1, type: 'created', at: at(1), actor: 'dispatcher:alice' },
      { seq: 2, type: 'location', at: at(2), actor: 'caller', details: { lat: 59.9, lng: 10.7, accuracy: 30 } },
      { seq: 3, type: 'chat', at: at(3), actor: 'caller', details: { from: 'caller', text: 'Han puster ikke' } },
      { seq: 4, type: 'location', at: at(4), actor: 'caller', details: { lat: 59.91, lng: 10.75, accuracy: 12 } },
      { seq: 5, type: 'chat', at: at(5), actor: 'dispatcher:alice', details: { from: 'dispatcher', text: 'Help is coming' } },
      { seq: 6, type: 'ended', at: at(6), actor: 'system', details: { reason: 'idle' } },
    ];
    const r = endedRecordOf('s1', 'INC-1', events, []);
    expect(r.location).toEqual({ lat: 59.91, lng: 10.75, accuracy: 12, at: at(4) });
    expect(r.chat.map((c) => `${c.from}: ${c.text}`)).toEqual(['caller: Han puster ikke', 'dispatcher: Help is coming']);
    expect(r).toMatchObject({ endedAt: at(6), reason: 'no video for too long' });
  });

  it("takes the push's reason when the ended event has not arrived yet", () => {
    expect(endedRecordOf('s1', 'x', [], [], 'dispatcher').reason).toBe('ended by the dispatcher');
    expect(endedRecordOf('s1', 'x', [], []).location).toBeUndefined();
  });
});
