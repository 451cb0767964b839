import type { RequestName } from '@sightline/shared';
import type { Handler } from '../types.js';
import { reportCamera } from './caller.js';
import { consume, produce, resumeConsumer } from './media.js';
import { joinSession } from './session.js';
import { connectTransport, createTransport, restartIce } from './transport.js';

/** Every signalling message the server answers, one handler each. */
export const handlers = [
  joinSession,
  createTransport,
  connectTransport,
  restartIce,
  produce,
  consume,
  resumeConsumer,
  reportCamera,
] as unknown as readonly Handler<RequestName>[];
