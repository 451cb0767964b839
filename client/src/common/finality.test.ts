import { describe, expect, it } from 'vitest';
import { finalRefusal } from './finality.js';
import { SignallingError } from './signalling.js';

describe('finalRefusal', () => {
  it('treats an ended or unknown session as ended, and a spent or refused token as expired', () => {
    expect(finalRefusal(new SignallingError('gone', 'session is no longer valid (ended)', 'ended'))).toBe('ended');
    expect(finalRefusal(new SignallingError('gone', 'invite is no longer valid (used)', 'used'))).toBe('expired');
    expect(finalRefusal(new SignallingError('unauthorized', 'invalid or expired token'))).toBe('expired');
    expect(finalRefusal(new SignallingError('forbidden', 'token is for another session'))).toBe('expired');
  });

  it('leaves passing trouble to a retry: timeouts, a busy or broken server, rate limits, a transport the server lost', () => {
    expect(finalRefusal(new Error('operation has timed out'))).toBeUndefined();
    for (const code of ['unavailable', 'internal', 'rate_limited', 'conflict', 'bad_request', 'not_found'])
      expect(finalRefusal(new SignallingError(code, 'x')), code).toBeUndefined();
  });
});
