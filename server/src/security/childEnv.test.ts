import { describe, expect, it } from 'vitest';
import { childEnv, DEFAULT_CHILD_PATH, scrubSecrets } from './childEnv.js';

describe('childEnv', () => {
  it('passes PATH and locale on, and nothing else', () => {
    const env = {
      PATH: '/opt/ffmpeg/bin:/usr/bin',
      LANG: 'C.UTF-8',
      HOME: '/root',
      JWT_SECRET: 'j'.repeat(40),
      TWILIO_AUTH_TOKEN: 't',
      NODE_OPTIONS: '--inspect',
    };
    expect(childEnv(env)).toEqual({ PATH: '/opt/ffmpeg/bin:/usr/bin', LANG: 'C.UTF-8' });
    expect(childEnv({})).toEqual({ PATH: DEFAULT_CHILD_PATH });
  });
});

describe('scrubSecrets', () => {
  it('removes Sightline’s secrets, the deployment’s and anything named like one, and keeps the rest', () => {
    const env: NodeJS.ProcessEnv = {
      PATH: '/usr/bin',
      PORT: '3000',
      JWT_SECRET: 'x',
      TURN_SECRET: 'x',
      TWILIO_AUTH_TOKEN: 'x',
      TWILIO_ACCOUNT_SID: 'x',
      REDIS_URL: 'redis://:pw@redis:6379',
      REDIS_PASSWORD: 'pw',
      DEMO_PASSWORD: 'x',
      SOME_API_KEY: 'x',
      MEDIASOUP_WORKER_BIN: '/opt/worker',
    };
    expect(scrubSecrets(env).sort()).toEqual([
      'DEMO_PASSWORD',
      'JWT_SECRET',
      'REDIS_PASSWORD',
      'REDIS_URL',
      'SOME_API_KEY',
      'TURN_SECRET',
      'TWILIO_ACCOUNT_SID',
      'TWILIO_AUTH_TOKEN',
    ]);
    expect(env).toEqual({ PATH: '/usr/bin', PORT: '3000', MEDIASOUP_WORKER_BIN: '/opt/worker' });
  });
});
