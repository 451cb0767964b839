import { randomBytes } from 'node:crypto';
import { TokenService } from '../auth/TokenService.js';
import { InviteService, inviteUrl, type InviteServiceOptions } from '../invites/InviteService.js';
import { SessionService, type SessionServiceOptions } from '../sessions/SessionService.js';
import { ConsoleSms } from '../sms/ConsoleSms.js';
import { SmsDispatch } from '../sms/SmsDispatch.js';
import type { SmsProvider } from '../sms/SmsProvider.js';
import { MemoryStore } from '../store/MemoryStore.js';
import type { Store } from '../store/Store.js';
import { testLogger } from './logger.js';

export interface SessionServicesOptions {
  store?: Store;
  /** Default: a ConsoleSms that prints nothing. */
  sms?: SmsProvider;
  tokens?: TokenService;
  /** The clock of sessions and caller invites. */
  now?: () => Date;
  /** Default 60 s. */
  inviteTtlMs?: number;
  sessions?: Omit<SessionServiceOptions, 'now'>;
  invites?: Partial<InviteServiceOptions>;
}

/**
 * One node's session, SMS and invite services on one store, wired as server.ts wires them: what a
 * unit test needs to create a session (InviteService.create) and walk it through its lifecycle.
 */
export function sessionServices(o: SessionServicesOptions = {}) {
  const store = o.store ?? new MemoryStore();
  const publicUrl = 'http://x';
  const sessions = new SessionService(store, { ...o.sessions, ...(o.now && { now: o.now }) }, testLogger);
  const sms = new SmsDispatch(store, o.sms ?? new ConsoleSms(() => {}), sessions, { link: (code) => inviteUrl(publicUrl, code) }, testLogger);
  const invites = new InviteService(store, sessions, sms, o.tokens ?? new TokenService(randomBytes(32)), {
    publicUrl,
    inviteTtlMs: o.inviteTtlMs ?? 60_000,
    ...(o.now && { now: o.now }),
    spokenCodeTtlMs: 10 * 60_000,
    maxLiveSpokenCodes: 3,
    viewerTtlMs: 60_000,
    recordingPolicy: 'off',
    ...o.invites,
  });
  return { store, sessions, sms, invites };
}
