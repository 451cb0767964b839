import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ParsedRequestOf, RequestName, ResponseMap, ServerToClientEvents } from '@sightline/shared';
import type { Principal } from '../auth/TokenService.js';
import type { SessionAction } from '../sessions/access.js';
import type { FirstFrames } from '../analytics/FirstFrames.js';
import type { InviteService } from '../invites/InviteService.js';
import type { SessionService } from '../sessions/SessionService.js';
import type { ClusterMedia } from '../cluster/ClusterMedia.js';
import type { RoomRegistry } from '../sfu/RoomRegistry.js';
import type { SessionRecord } from '../store/Store.js';
import type { Audience } from '../sessions/projections.js';
import type { BudgetKind } from './SocketBudgets.js';

export interface SocketData {
  principal: Principal;
  /** When this socket is cut (ms since epoch): its token's end; for staff, its login's newest token's end. */
  expiresAt: number;
  /** Sessions in which this socket holds transports (closed on disconnect, wherever they run). */
  mediaSessions?: Set<string>;
  /** This socket made its one pre-tap send transport (handlers/transport.ts). */
  pretapTransport?: boolean;
  /** A supervisor's reads already on the session's record (`<sessionId> <action>`): signalling/gate.ts. */
  looked?: Set<string>;
}

export type SignallingServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
export type SignallingSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface Services {
  sessions: SessionService;
  /** The ways in: the pre-tap credential's checks and its tap over the socket. */
  invites: Pick<InviteService, 'beforeTap' | 'redeemPretap'>;
  /** This node's rooms (their events are pushed from here). */
  rooms: RoomRegistry;
  /** Session media wherever it runs: handlers go through this, never to rooms directly. */
  media: ClusterMedia;
  /** The consoles' first-frame reports, logged once per media start (issue #16 §1). */
  firstFrames: Pick<FirstFrames, 'report'>;
  /**
   * TURN servers with fresh credentials for a live session (labelled with its id, expiring by its
   * longest possible end), when TURN is configured.
   */
  iceServers?: (session: { id: string; createdAt: string }) => { urls: string[]; username: string; credential: string }[];
}

export interface HandlerContext {
  socket: SignallingSocket;
  principal: Principal;
  /** Media objects are owned per socket: `<node>/<socket id>`, unique in the cluster. */
  peerId: string;
  session: SessionRecord;
  services: Services;
}

/** One signalling message: what it needs (checked by the gate) and what it does. */
export interface Handler<K extends RequestName> {
  name: K;
  action: SessionAction;
  /** What the message spends once authorized (SocketBudgets); none: only the per-connection limit. */
  budget?: BudgetKind;
  /** It writes a session-log record: its size counts against the session's log budget. */
  logs?: boolean;
  handle(ctx: HandlerContext, payload: ParsedRequestOf<K>): Promise<ResponseMap[K]>;
}

export function defineHandler<K extends RequestName>(handler: Handler<K>): Handler<K> {
  return handler;
}

export const sessionChannel = (sessionId: string): string => `session:${sessionId}`;

/**
 * Each role's part of the session's channel: a push goes to each through its role's projection
 * (signalling/sessionEvents.ts). Sockets are in both (the whole channel is for ending and leaving).
 */
export const audienceChannel = (sessionId: string, audience: Audience): string => `session:${sessionId}:${audience}`;

/**
 * The sockets of the session's caller pages before the tap (issue #12): they join no session channel, and
 * are cut once the invite is spent or the session ends (sessionEvents.ts); the socket that redeems leaves first.
 */
export const pretapChannel = (sessionId: string): string => `pretap:${sessionId}`;

/** Every socket of one staff user (all their logins, every node): told of a session made for them elsewhere. */
export const staffUserChannel = (username: string): string => `staff:${username}`;
