import { EventEmitter } from 'node:events';
import type { SessionEvent } from '@sightline/shared';
import { describe, expect, it } from 'vitest';
import type { InviteService } from '../invites/InviteService.js';
import type { SessionService } from '../sessions/SessionService.js';
import type { SessionRecord } from '../store/Store.js';
import { eidoErrors } from '../testing/eido.js';
import { EidoExport } from './EidoExport.js';

const record = (status: SessionRecord['status']): SessionRecord => ({
  id: 's_eidoexport1',
  status,
  phone: '+4791234567',
  dispatcher: 'kari',
  language: 'nb',
  createdAt: '2026-12-01T10:00:00.000Z',
  inviteCode: 'callercode',
});

/** Sessions and invites as EidoExport sees them: a log, the viewer invites made (with who and why), which links are still usable. */
function fixture() {
  const sessions = new EventEmitter() as unknown as SessionService & EventEmitter;
  const events: SessionEvent[] = [{ seq: 1, type: 'created', at: '2026-12-01T10:00:00.000Z', actor: 'dispatcher:kari' }];
  Object.assign(sessions, { events: async () => events, get: async () => record('ended') });
  const made: { actor: string; reason?: string }[] = [];
  const spent = new Set<string>();
  const invites = {
    inviteViewer: async (_id: string, actor: string, _label?: string, reason?: string) => {
      made.push({ actor, ...(reason && { reason }) });
      return `https://sightline.example.no/j/viewer${made.length}`;
    },
    isUsable: async (link: string) => !spent.has(link),
  } as unknown as InviteService;
  return { eido: new EidoExport(sessions, invites, 'https://sightline.example.no'), sessions, made, spent };
}

describe('EidoExport', () => {
  it('links a live session by a view-only invite, made once and reused while nobody has used it, logged with reason eido', async () => {
    const { eido, made, spent } = fixture();
    const first = await eido.document(record('live'), 'dispatcher:kari', { liveLink: true });
    const again = await eido.document(record('live'), 'dispatcher:kari', { liveLink: true });
    expect(first.mediaComponent![0]!.uri).toBe('https://sightline.example.no/j/viewer1');
    expect(again.mediaComponent![0]!.uri).toBe('https://sightline.example.no/j/viewer1');
    expect(made).toEqual([{ actor: 'dispatcher:kari', reason: 'eido' }]);
    // A browser went in by it (one-time): the next document gets a fresh one.
    spent.add('https://sightline.example.no/j/viewer1');
    expect((await eido.document(record('live'), 'dispatcher:kari', { liveLink: true })).mediaComponent![0]!.uri).toBe('https://sightline.example.no/j/viewer2');
    expect(made).toHaveLength(2);
    expect(eidoErrors(first)).toEqual([]);
  });

  it('gives a supervisor the session in /audit even while it is live, and makes no invite (only the dispatcher lets viewers in)', async () => {
    const { eido, made } = fixture();
    await eido.document(record('live'), 'dispatcher:kari', { liveLink: true });
    const bySupervisor = await eido.document(record('live'), 'supervisor:sam', { liveLink: false });
    expect(bySupervisor.mediaComponent![0]!.uri).toBe('https://sightline.example.no/audit?session=s_eidoexport1');
    expect(made).toEqual([{ actor: 'dispatcher:kari', reason: 'eido' }]);
    expect(eidoErrors(bySupervisor)).toEqual([]);
  });

  it('links an ended session to the session in /audit, making no invite, for the request and for EIDO_WEBHOOK', async () => {
    const { eido, made } = fixture();
    const doc = await eido.document(record('ended'), 'dispatcher:kari', { liveLink: true });
    expect(doc.mediaComponent![0]!.uri).toBe('https://sightline.example.no/audit?session=s_eidoexport1');
    expect((await eido.ended('s_eidoexport1')).mediaComponent![0]!.uri).toBe('https://sightline.example.no/audit?session=s_eidoexport1');
    expect(made).toEqual([]);
    expect(doc.agencyComponent[0]!.$id).toBe('sightline.example.no');
  });
});
