import { describe, expect, it } from 'vitest';
import { isWholeCode, spokenDigits } from './spokenCode.js';

describe('spoken code as typed', () => {
  it('drops the spaces, dashes and dots of a code typed as it is read aloud', () => {
    for (const typed of ['649780', '649 780', '649-780', ' 64 97 80 ', '649.780', '649\u00a0780']) expect(spokenDigits(typed), typed).toBe('649780');
  });

  it('is whole at exactly six digits, not before and not past', () => {
    expect(isWholeCode('649 78')).toBe(false);
    expect(isWholeCode('649 780')).toBe(true);
    expect(isWholeCode('649-7801')).toBe(false);
  });
});
