import type { SignallingSocket } from '../../common/signalling.js';

/** What every panel of a session card needs to talk to the server. */
export interface CardContext {
  sessionId: string;
  socket: SignallingSocket;
  token: string;
}
