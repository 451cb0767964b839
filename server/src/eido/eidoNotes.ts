import { CHAT_PRESET_IDS, type ChatPresetId, type EidoNotes, type SessionEvent } from '@sightline/shared';
import type { EidoIds } from './eidoIds.js';
import { escapeXml } from './pidfLo.js';

/**
 * The preset phrases in English words, as the caller page's English catalogue has them
 * (client/src/caller/i18n/en.ts `presets`; eidoNotes.test.ts keeps the two the same).
 */
export const PRESETS_EN: Record<ChatPresetId, string> = {
  hold_steady: 'Hold the phone steady.',
  move_closer: 'Move closer, please.',
  show_face: 'Show us the face of the patient.',
  show_chest: 'Show us the chest, so we can see the breathing.',
  turn_on_light: 'Turn on a light, please.',
  help_coming: 'Help is on the way.',
  stay_on_phone: 'Stay on the phone with us.',
};

const WRITERS = { dispatcher: 'Dispatcher', caller: 'Caller', viewer: 'Viewer' } as const;
type Writer = keyof typeof WRITERS;

/** A chat line's writer and, for a dispatcher's, who that was (the agent the note references). */
interface ChatLine {
  seq: number;
  at: string;
  from: Writer;
  text: string;
  presetId?: ChatPresetId;
  username?: string;
}

/**
 * The chat transcript as EIDO Notes components (NENA-STA-021.1b §2.15; OpenAPI NotesType), one a
 * message, in log order. Who: the writer's role in words at the start of `notesActionComments` (an
 * HTML fragment, §2.15), and for a dispatcher's line `agentReference` and `updatedByAgentReference`
 * (§2.1: present when an agent made the component); a caller or viewer is no agent, and the
 * standard has no member for them. When: `lastUpdateTimeStamp`. A preset is given in English words,
 * whatever language the caller read it in. Text is escaped: a note is HTML to its reader.
 */
export function chatNotes(events: readonly SessionEvent[], ids: EidoIds): EidoNotes[] {
  return events.flatMap((e) => {
    const line = chatLine(e);
    if (!line) return [];
    const agent = line.username ? { $ref: ids.agent(line.username) } : undefined;
    const words = line.presetId ? `${PRESETS_EN[line.presetId]} (preset)` : line.text;
    const note: EidoNotes = {
      $id: ids.component(`n${line.seq}`),
      lastUpdateTimeStamp: line.at,
      updatedByAgencyReference: { $ref: ids.agency },
      ...(agent && { updatedByAgentReference: agent }),
      notesActionComments: `<p><b>${WRITERS[line.from]}</b>: ${escapeXml(words)}</p>`,
      ...(agent && { agentReference: agent }),
    };
    return [note];
  });
}

/** The usernames of the dispatchers who wrote in the chat (the agents the notes reference). */
export function chatAgents(events: readonly SessionEvent[]): string[] {
  return [...new Set(events.flatMap((e) => chatLine(e)?.username ?? []))];
}

function chatLine(e: SessionEvent): ChatLine | undefined {
  if (e.type !== 'chat') return undefined;
  const d = e.details ?? {};
  const from = d['from'];
  if (from !== 'dispatcher' && from !== 'caller' && from !== 'viewer') return undefined;
  const presetId = (CHAT_PRESET_IDS as readonly unknown[]).includes(d['presetId']) ? (d['presetId'] as ChatPresetId) : undefined;
  const username = from === 'dispatcher' && e.actor.startsWith('dispatcher:') ? e.actor.slice('dispatcher:'.length) : undefined;
  return { seq: e.seq, at: e.at, from, text: typeof d['text'] === 'string' ? d['text'] : '', ...(presetId && { presetId }), ...(username && { username }) };
}
