import { describe, expect, it } from 'vitest';
import { legalHoldRequest, createSessionRequest } from './api/rest.js';
import { requestSchemas } from './signalling/messages.js';
import { freeText, hasUnsafeText, plainText } from './text.js';

const RLO = '\u202e';

describe('free text at the gate', () => {
  it('drops bidi controls and turns control characters into spaces', () => {
    expect(plainText(`ok ${RLO}live\u2066x\u2069\u200f`)).toBe('ok livex');
    expect(plainText('a\nb\rc\u0007d\u001b[2Je\u0085f\u2028g')).toBe('a b c d [2Je f g');
  });

  it('keeps right-to-left text and everything printable as it is', () => {
    for (const s of ['مرحبا، هل المريض يتنفس؟', 'Привіт', 'Ærlig talt – «ja»', '😀 ok']) expect(plainText(s)).toBe(s);
  });

  it('makes chat plain and refuses a message that is nothing else', () => {
    const chat = requestSchemas['chat:send'];
    expect(chat.parse({ sessionId: 'session-1234', text: `caller: ${RLO}dewohs rosivrepus` }).text).toBe('caller: dewohs rosivrepus');
    expect(chat.safeParse({ sessionId: 'session-1234', text: `${RLO}\u0007\n` }).success).toBe(false);
  });

  it('makes plain every other free-text field: camera reason, control detail, incident, legal hold reason', () => {
    expect(requestSchemas['caller:camera'].parse({ sessionId: 'session-1234', granted: false, reason: `a${RLO}b\n` }).reason).toBe('ab');
    expect(requestSchemas['control:reply'].parse({ sessionId: 'session-1234', action: 'flip', outcome: 'failed', detail: `x\u0000y` }).detail).toBe('x y');
    expect(createSessionRequest.parse({ phone: '+4791234567', incidentRef: `INC${RLO}-1` }).incidentRef).toBe('INC-1');
    expect(legalHoldRequest.parse({ hold: true, reason: `court\norder` }).reason).toBe('court order');
  });

  it('counts the limit after the clean-up, and bounds what it cleans', () => {
    expect(freeText(3).safeParse(`${RLO}${RLO}abc`).success).toBe(true);
    expect(freeText(3).safeParse('abcd').success).toBe(false);
    expect(freeText(3).safeParse(RLO.repeat(13)).success).toBe(false);
  });

  it('tells a name with such characters from a clean one', () => {
    expect(hasUnsafeText(`alice${RLO}`)).toBe(true);
    expect(hasUnsafeText('bob\n')).toBe(true);
    expect(hasUnsafeText('Åse Ødegård')).toBe(false);
  });
});
