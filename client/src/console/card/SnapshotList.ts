import './SnapshotList.css';
import type { SnapshotInfo } from '@sightline/shared';
import { api, fetchWithToken } from '../../common/api.js';
import { h } from '../../common/dom.js';
import type { CardContext } from './context.js';
import { formatTime, t, utcInstant } from '../../staff-i18n/index.js';

/**
 * Stills of the session (dispatcher snapshots and caller photos) as thumbnails, newest last. They
 * follow the live picture's blur (setBlur; issue #14: the blur spared the dispatcher the live picture
 * but not the stills), each with its own reveal; turning the blur on again covers every still again.
 */
export class SnapshotList {
  readonly el: HTMLElement;
  #list = h('ul', { class: 'snapshots', testid: 'snapshot-list' });
  #names = new Set<string>();

  constructor(private readonly ctx: CardContext) {
    this.el = h('details', { open: true }, h('summary', {}, t('console.snapshots.title')), this.#list);
  }

  /** Blurs or clears every still; a reveal lasts until the blur is turned on again. */
  setBlur(blurred: boolean): void {
    this.#list.classList.toggle('blurred', blurred);
    for (const item of this.#list.querySelectorAll<HTMLElement>('li.revealed')) reveal(item, false);
  }

  async load(): Promise<void> {
    const { snapshots } = await api('GET /api/sessions/:id/snapshots', { token: this.ctx.token, params: { id: this.ctx.sessionId } });
    for (const s of snapshots) this.add(s);
  }

  /** Captures the current frame of `video` at full resolution and stores it with the session. */
  async capture(video: HTMLVideoElement): Promise<void> {
    if (!video.videoWidth) return;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    const blob = await new Promise<Blob | null>((r) => canvas.toBlob(r, 'image/jpeg', 0.9));
    if (!blob) return;
    const res = await fetchWithToken(`/api/sessions/${this.ctx.sessionId}/snapshots`, this.ctx.token, {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: blob,
    });
    if (res.ok) this.add((await res.json()) as SnapshotInfo);
  }

  add(s: SnapshotInfo): void {
    if (this.#names.has(s.name)) return;
    this.#names.add(s.name);
    const label = stillLabel(s);
    const img = h('img', { alt: label, loading: 'lazy' });
    const toggle = h(
      'button',
      { type: 'button', class: 'small reveal', testid: 'snapshot-reveal', 'aria-pressed': 'false', 'aria-label': t('console.snapshots.revealOne', { label }) },
      t('console.snapshots.reveal'),
    );
    const item = h('li', { testid: 'snapshot-item', 'data-source': s.source }, img, h('span', { class: 'muted', title: utcInstant(s.at) }, label), toggle);
    toggle.addEventListener('click', () => reveal(item, !item.classList.contains('revealed')));
    this.#list.append(item);
    // Images need the bearer token, which an <img src> cannot send.
    void fetchWithToken(`/api/sessions/${this.ctx.sessionId}/snapshots/${encodeURIComponent(s.name)}`, this.ctx.token)
      .then((r) => (r.ok ? r.blob() : undefined))
      .then((b) => b && (img.src = URL.createObjectURL(b)));
  }
}

/** Shows one still clear while the others stay blurred, or covers it again. */
function reveal(item: HTMLElement, on: boolean): void {
  item.classList.toggle('revealed', on);
  const toggle = item.querySelector<HTMLButtonElement>('button.reveal');
  if (!toggle) return;
  toggle.setAttribute('aria-pressed', String(on));
  toggle.textContent = on ? t('console.snapshots.blur') : t('console.snapshots.reveal');
  const label = item.querySelector('span')?.textContent ?? t('console.snapshots.still');
  toggle.setAttribute('aria-label', on ? t('console.snapshots.blurOne', { label }) : t('console.snapshots.revealOne', { label }));
}

/** "caller 14:03:27": who took the still (in the staff member's words) and when, on the centre's clock. */
export function stillLabel(s: Pick<SnapshotInfo, 'source' | 'at'>): string {
  return `${t(`common.source.${s.source}`)} ${formatTime(s.at)}`;
}
