import { describe, expect, it } from 'vitest';
import { createLogger, maskPhone } from './logging.js';

/** The application log's own guard: fields that carry credentials are censored whatever logs them. */
function capture(level = 'debug') {
  const lines: string[] = [];
  return { log: createLogger(level, { write: (line: string) => void lines.push(line) }), lines };
}

describe('createLogger', () => {
  it('censors tokens, passwords, codes and invite links, at the top level and one level down', () => {
    const { log, lines } = capture();
    const secrets = {
      token: 'eyJtop.level.token',
      password: 'top-password',
      code: '123456',
      inviteUrl: 'https://sightline.example/j/top-invite-code',
      auth: { token: 'eyJauth.token.x' },
      req: { token: 'eyJnested.token.y', password: 'nested-password', code: '654321', inviteUrl: 'https://sightline.example/j/nested-code' },
    };
    log.info(secrets, 'something with secrets');
    log.debug({ body: { code: '111222' } }, 'at debug too');
    expect(lines).toHaveLength(2);
    const text = lines.join('');
    for (const value of [
      'eyJtop.level.token',
      'top-password',
      '123456',
      'top-invite-code',
      'eyJauth.token.x',
      'eyJnested.token.y',
      'nested-password',
      '654321',
      'nested-code',
      '111222',
    ]) {
      expect(text, value).not.toContain(value);
    }
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({ token: '[redacted]', password: '[redacted]', code: '[redacted]', inviteUrl: '[redacted]', auth: { token: '[redacted]' } });
    expect(first.req).toEqual({ token: '[redacted]', password: '[redacted]', code: '[redacted]', inviteUrl: '[redacted]' });
    expect(first.msg).toBe('something with secrets');
  });

  it('writes nothing below its level', () => {
    const { log, lines } = capture('info');
    log.debug({ sessionId: 's1' }, 'hidden');
    log.info({ sessionId: 's1' }, 'shown');
    expect(lines.map((l) => JSON.parse(l).msg)).toEqual(['shown']);
  });
});

describe('maskPhone', () => {
  it('keeps the country code and the last three digits only', () => {
    expect(maskPhone('+4791234567')).toBe('+47*****567');
    expect(maskPhone('+46701234567')).toBe('+46******567');
    expect(maskPhone('+4712')).toBe('***');
  });
});
