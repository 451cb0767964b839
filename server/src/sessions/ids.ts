import { randomBytes } from 'node:crypto';

/** Session ids: not secret, but unguessable so they leak nothing about volume. */
export function newSessionId(): string {
  return `s_${randomBytes(9).toString('base64url')}`;
}

/** Invite codes are credentials: 128 random bits, URL-safe (CONTRACT.md asks for at least 64). */
export function newInviteCode(): string {
  return randomBytes(16).toString('base64url');
}
