import { isSessionId, sessionIdSchema } from '@sightline/shared';
import { describe, expect, it } from 'vitest';
import { newSessionId } from './ids.js';

describe('session ids', () => {
  it('are made to pass the one shared session-id rule', () => {
    for (let i = 0; i < 200; i++) {
      const id = newSessionId();
      expect(id).toMatch(/^s_[A-Za-z0-9_-]{12}$/);
      expect(sessionIdSchema.safeParse(id).success, id).toBe(true);
    }
  });

  it('the rule refuses what could leave a folder or is out of bounds', () => {
    for (const bad of ['', '..', '../x', 'a/b', 's_short', 's.abcdefgh', 'x'.repeat(65)]) expect(isSessionId(bad), bad).toBe(false);
    for (const good of ['s_abcdefgh', 'x'.repeat(64)]) expect(isSessionId(good), good).toBe(true);
  });
});
