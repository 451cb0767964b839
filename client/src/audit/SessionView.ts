import type { SessionEvent, SnapshotInfo } from '@sightline/shared';
import { api, fetchWithToken } from '../common/api.js';
import { h } from '../common/dom.js';
import { RecordingPlayer } from './RecordingPlayer.js';
import { cprChartModel } from './cprChartModel.js';
import { formatDuration, summaryText, timelineModel } from './timelineModel.js';
import { formatTime, t, timeElement } from '../staff-i18n/index.js';

/**
 * One session for the supervisor: its verified log, a summary line and the swimlane timeline chart,
 * a CPR chart beside it for a session with a CPR episode, its recordings (seekable playback, the chart's marks on each scrub bar; a click on a mark seeks),
 * the log as a list, chat transcript, location trail, media quality, stills, legal hold and export.
 * Opening it is itself logged by the server (the chart's access lane shows it). The log is verified
 * before the rest is fetched: the view's own looks are then appended after the verified snapshot.
 */
export async function showSession(el: HTMLElement, token: string, id: string): Promise<void> {
  const session = { token, params: { id } };
  // The chart library is loaded with the first session opened, not with the search page.
  const charting = import('./TimelineChart.js');
  const verify = await api('GET /api/sessions/:id/verify', session);
  const [detail, snaps, recs] = await Promise.all([
    api('GET /api/sessions/:id', session),
    api('GET /api/sessions/:id/snapshots', session).catch(() => ({ snapshots: [] })),
    api('GET /api/sessions/:id/recordings', session).catch(() => ({ recordings: [] })),
  ]);
  const events = detail.events;
  const integrity = h('strong', { testid: 'log-integrity', class: verify.intact ? 'ok' : 'bad' }, verify.intact ? 'intact' : 'broken');
  // A break in the checkpoint file itself has no one bad record: the reason alone says what is wrong.
  const integrityNote = verify.intact
    ? t('audit.view.verified', { count: verify.records })
    : verify.firstBadSeq === undefined
      ? String(verify.reason)
      : t('audit.view.firstBad', { seq: verify.firstBadSeq, reason: String(verify.reason) });

  const exportButton = h('button', { type: 'button', testid: 'export-button' }, t('audit.view.export'));
  exportButton.addEventListener('click', () => void download(token, id, exportButton));
  const held = [...events].reverse().find((e) => e.type === 'legal_hold')?.details?.['hold'] === true;
  const hold = h(
    'button',
    { type: 'button', testid: 'legal-hold', 'aria-pressed': String(held) },
    held ? t('audit.view.releaseHold') : t('audit.view.placeHold'),
  );
  hold.addEventListener(
    'click',
    () => void api('POST /api/sessions/:id/hold', { token, params: { id }, body: { hold: !held } }).then(() => showSession(el, token, id)),
  );

  const model = timelineModel(events, recs.recordings, detail.createdAt, detail.endedAt);
  const summary = summaryText(model.summary);
  const chart = new (await charting).TimelineChart(model, summary);
  const cprModel = cprChartModel(events, detail.endedAt);
  const cpr = cprModel && new (await import('./CprChart.js')).CprChart(cprModel);
  const players = recs.recordings.map((r) => new RecordingPlayer(id, r, model.marks, model.end, () => token));
  const seekNote = h('p', { class: 'muted', testid: 'seek-note', 'aria-live': 'polite' });
  chart.onPick((mark, at) => {
    const player = players.find((p) => p.covers(at));
    seekNote.textContent = player
      ? t('audit.view.seekSegment', { label: mark.label, segment: player.info.segment, at: formatDuration(at - player.start) })
      : t('audit.view.seekNone', { label: mark.label, time: formatTime(at) });
    void player?.seek(at);
  });

  for (const old of previous.get(el) ?? []) old.dispose();
  previous.set(el, cpr ? [chart, cpr] : [chart]);
  el.hidden = false;
  el.replaceChildren(
    h('h2', {}, `${detail.incidentRef ?? t('audit.view.noIncident')} · ${detail.id}`),
    h(
      'p',
      {},
      `${t('audit.view.dispatcher', { name: detail.dispatcher })} · ${t('audit.view.created')} `,
      timeElement(detail.createdAt, 'dateTime'),
      ...(detail.endedAt ? [` · ${t('audit.view.ended')} `, timeElement(detail.endedAt, 'dateTime')] : []),
      ` · ${t('audit.view.status', { status: t(`audit.status.${detail.status}`) })}`,
    ),
    h('p', {}, t('audit.view.log'), integrity, ` — ${integrityNote}`),
    h('div', { class: 'row' }, exportButton, hold),
    h('p', { class: 'timeline-summary', testid: 'timeline-summary' }, summary),
    chart.el,
    seekNote,
    ...(cpr ? [cpr.el] : []),
    section(t('audit.view.recordings'), players.length ? players.map((p) => p.el) : [h('p', { class: 'muted' }, t('audit.view.noRecordings'))]),
    section(t('audit.view.logTitle'), [
      h('ol', { class: 'audit-timeline', tabindex: '0', 'aria-label': t('audit.view.logLabel') }, ...events.map(timelineItem)),
    ]),
    section(t('audit.view.chat'), transcript(events)),
    section(t('audit.view.locations'), locations(events)),
    section(t('audit.view.quality'), quality(events)),
    section(t('audit.view.stills'), [stills(token, id, snaps.snapshots)]),
  );
  chart.render();
  cpr?.render();
}

/** The charts shown in each detail pane, disposed when the pane shows another session. */
const previous = new WeakMap<HTMLElement, { dispose(): void }[]>();

function section(title: string, children: Node[]): HTMLElement {
  return h('section', { class: 'audit-section' }, h('h3', {}, title), ...children);
}

/**
 * One record. The actor and every detail value sit in their own isolate (<bdi>): text written by a
 * caller or a viewer (chat), or a log written before the gate made free text plain, cannot reorder
 * the rest of the line with bidi controls (shared/src/text.ts).
 */
function timelineItem(e: SessionEvent): HTMLElement {
  const details = Object.entries(e.details ?? {}).flatMap(([k, v]) => [` ${k}=`, h('bdi', {}, typeof v === 'object' ? JSON.stringify(v) : String(v))]);
  return h(
    'li',
    { testid: 'timeline-event', 'data-type': e.type },
    timeElement(e.at),
    ` #${e.seq} ${e.type} `,
    h('span', { class: 'muted' }, h('bdi', {}, e.actor), ...details),
  );
}

function transcript(events: SessionEvent[]): Node[] {
  const chats = events.filter((e) => e.type === 'chat');
  if (!chats.length) return [h('p', { class: 'muted' }, t('audit.view.noChat'))];
  return [
    h(
      'ol',
      { testid: 'chat-transcript' },
      ...chats.map((e) =>
        h('li', {}, timeElement(e.at), ' ', h('bdi', {}, String(e.details?.['from'] ?? e.actor)), ': ', h('bdi', {}, String(e.details?.['text'] ?? ''))),
      ),
    ),
  ];
}

function locations(events: SessionEvent[]): Node[] {
  const locs = events.filter((e) => e.type === 'location');
  if (!locs.length) return [h('p', { class: 'muted' }, t('audit.view.noLocation'))];
  return [
    h(
      'ol',
      { testid: 'location-trail' },
      ...locs.map((e) =>
        h(
          'li',
          {},
          timeElement(e.at),
          ` ${Number(e.details?.['lat']).toFixed(5)}, ${Number(e.details?.['lng']).toFixed(5)} ±${Math.round(Number(e.details?.['accuracy']))} m`,
        ),
      ),
    ),
  ];
}

function quality(events: SessionEvent[]): Node[] {
  const ended = events.filter((e) => e.type === 'media_ended');
  const reconnects = events.filter((e) => e.type === 'reconnecting').length;
  const rows = ended.map((e) =>
    h(
      'li',
      {},
      t('audit.view.mediaLine', {
        kind: String(e.details?.['kind'] ?? 'media'),
        codec: String(e.details?.['codec'] ?? ''),
        seconds: Math.round(Number(e.details?.['durationSec'] ?? 0)),
        kbps: Math.round(Number(e.details?.['avgKbps'] ?? 0)),
        score: String(e.details?.['minScore'] ?? '?'),
      }),
    ),
  );
  return [h('p', {}, t('audit.view.reconnections', { count: reconnects })), h('ol', { testid: 'quality-summary' }, ...rows)];
}

function stills(token: string, sessionId: string, snapshots: SnapshotInfo[]): HTMLElement {
  const list = h('ul', { class: 'snapshots' });
  for (const s of snapshots) {
    const img = h('img', { alt: `${s.source} ${s.at}` });
    list.append(h('li', {}, img, h('span', { class: 'muted' }, `${t(`common.source.${s.source}`)} `, timeElement(s.at))));
    void fetchWithToken(`/api/sessions/${sessionId}/snapshots/${encodeURIComponent(s.name)}`, token)
      .then((r) => (r.ok ? r.blob() : undefined))
      .then((b) => b && (img.src = URL.createObjectURL(b)));
  }
  if (!snapshots.length) list.append(h('li', { class: 'muted' }, t('audit.view.none')));
  return list;
}

async function download(token: string, id: string, button: HTMLButtonElement): Promise<void> {
  button.disabled = true;
  try {
    const res = await fetchWithToken(`/api/sessions/${id}/export`, token);
    if (!res.ok) throw new Error(`export failed (${res.status})`);
    const url = URL.createObjectURL(await res.blob());
    const a = h('a', { href: url, download: `sightline-${id}.tar.gz` });
    document.body.append(a);
    a.click();
    a.remove();
  } finally {
    button.disabled = false;
  }
}
