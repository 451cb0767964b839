import { describe, expect, it } from 'vitest';
import { compareUrgency, groupOf, phaseOf, type Ranked } from './urgency.js';

describe('rail urgency', () => {
  it('puts alarm, then live, then waiting, then ended', () => {
    const rows: Ranked[] = [
      { sessionId: 'ended', group: groupOf('ended', true), since: 1 },
      { sessionId: 'waiting', group: groupOf('sms_sent', false), since: 2 },
      { sessionId: 'live', group: groupOf('live', false), since: 3 },
      { sessionId: 'alarm', group: groupOf('live', true), since: 4 },
    ];
    expect(rows.sort(compareUrgency).map((r) => r.sessionId)).toEqual(['alarm', 'live', 'waiting', 'ended']);
  });

  it('lists the longest waiting first, and the most recently ended first', () => {
    const rows: Ranked[] = [
      { sessionId: 'w-new', group: 'waiting', since: 200 },
      { sessionId: 'w-old', group: 'waiting', since: 100 },
      { sessionId: 'e-old', group: 'ended', since: 100 },
      { sessionId: 'e-new', group: 'ended', since: 200 },
    ];
    expect(rows.sort(compareUrgency).map((r) => r.sessionId)).toEqual(['w-old', 'w-new', 'e-new', 'e-old']);
  });

  it('counts a camera just allowed and a reconnect as live video, a blocked camera as waiting', () => {
    expect(phaseOf('camera_granted')).toBe('live');
    expect(phaseOf('reconnecting')).toBe('live');
    expect(phaseOf('camera_denied')).toBe('waiting');
    expect(phaseOf('link_opened')).toBe('waiting');
  });
});
