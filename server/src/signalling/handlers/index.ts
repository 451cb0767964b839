import type { RequestName } from '@sightline/shared';
import type { Handler } from '../types.js';
import { reportCamera, reportLocation, reportMedia, stopVideo } from './caller.js';
import { sendChat } from './chat.js';
import { cprMetronome, cprMode, cprPause, cprWindow } from './cpr.js';
import { replyControl, requestControl } from './control.js';
import { consume, produce, reportFirstFrame, requestKeyFrame, resumeConsumer } from './media.js';
import { redeemInvite } from './invite.js';
import { joinSession } from './session.js';
import { closeShowMe, produceShowMe, receiveShowMe, resumeShowMe, stopShowMe } from './showMe.js';
import { closeTransport, connectTransport, createTransport, restartIce } from './transport.js';

/** Every signalling message the server answers, one handler each. */
export const handlers = [
  joinSession,
  redeemInvite,
  createTransport,
  connectTransport,
  restartIce,
  closeTransport,
  produce,
  consume,
  resumeConsumer,
  requestKeyFrame,
  reportFirstFrame,
  reportCamera,
  reportMedia,
  stopVideo,
  reportLocation,
  sendChat,
  requestControl,
  replyControl,
  cprMode,
  cprWindow,
  cprPause,
  cprMetronome,
  produceShowMe,
  stopShowMe,
  receiveShowMe,
  resumeShowMe,
  closeShowMe,
] as unknown as readonly Handler<RequestName>[];
