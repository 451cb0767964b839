import { num, t } from '../../staff-i18n/index.js';
import { h } from '../../common/dom.js';

/** A point in the target's own (unzoomed) layout box, in CSS px. */
export interface Point {
  x: number;
  y: number;
}

/**
 * Zoom at the pointer and pan by drag, for the caller's video inside a frame that clips it (issue
 * #14, part 4). The target is drawn at `translate(t) scale(z)` from its top-left corner, so the
 * picture point under the pointer stays under it while zooming (c = (p − t) / z, t' = p − z'·c), and
 * the picture always covers its own box (no black edge dragged into view). Levels from 1× to 4× in
 * steps of 1.25 (buttons, wheel notches, keyboard shortcuts through `zoomBy`). A badge shows the
 * level while zoomed, beside a reset; a double click resets too. At 1× a wheel turned outwards is left
 * to the page, so scrolling past the video still scrolls.
 */
export class ZoomPan {
  static readonly MIN = 1;
  static readonly MAX = 4;
  static readonly STEP = 1.25;
  #z = 1;
  #t: Point = { x: 0, y: 0 };
  #drag: { id: number; from: Point; t: Point } | undefined;
  readonly badge = h('span', { class: 'zoom-level', testid: 'zoom-level', hidden: true, 'aria-live': 'polite' });
  readonly resetButton = h('button', { type: 'button', class: 'small zoom-reset', testid: 'zoom-reset', hidden: true }, t('console.video.resetZoom'));
  readonly #observers = new Set<(level: number) => void>();

  constructor(
    private readonly frame: HTMLElement,
    private readonly target: HTMLElement,
  ) {
    target.style.transformOrigin = '0 0';
    this.resetButton.addEventListener('click', () => this.reset());
    frame.addEventListener('wheel', (ev) => this.#wheel(ev), { passive: false });
    frame.addEventListener('dblclick', (ev) => {
      if (ev.target === target) this.reset();
    });
    frame.addEventListener('pointerdown', (ev) => this.#dragStart(ev));
    frame.addEventListener('pointermove', (ev) => this.#dragMove(ev));
    for (const end of ['pointerup', 'pointercancel'] as const) frame.addEventListener(end, (ev) => this.#dragEnd(ev));
  }

  /** The zoom level, 1 (whole picture) to 4. */
  get level(): number {
    return this.#z;
  }

  /** Observes level changes; returns the unsubscribe. */
  onChange(listener: (level: number) => void): () => void {
    this.#observers.add(listener);
    return () => this.#observers.delete(listener);
  }

  /** Zooms by `factor` about `at` (in the target's unzoomed box; default its centre). */
  zoomBy(factor: number, at?: Point): void {
    const { w, hgt } = this.#size();
    const p = at ?? { x: w / 2, y: hgt / 2 };
    const z = Math.min(ZoomPan.MAX, Math.max(ZoomPan.MIN, Math.round(this.#z * factor * 1e4) / 1e4));
    const c = { x: (p.x - this.#t.x) / this.#z, y: (p.y - this.#t.y) / this.#z };
    this.#set(z, { x: p.x - z * c.x, y: p.y - z * c.y });
  }

  reset(): void {
    this.#set(1, { x: 0, y: 0 });
  }

  #size(): { w: number; hgt: number } {
    return { w: this.target.offsetWidth, hgt: this.target.offsetHeight };
  }

  /** A client (viewport) position in the target's unzoomed box. */
  #local(ev: MouseEvent): Point {
    const r = this.frame.getBoundingClientRect();
    return { x: ev.clientX - r.left - this.target.offsetLeft, y: ev.clientY - r.top - this.target.offsetTop };
  }

  #set(z: number, t: Point): void {
    const { w, hgt } = this.#size();
    // The picture covers its box: its edges never come inside the frame's.
    const clamp = (v: number, size: number) => Math.min(0, Math.max(size * (1 - z), v));
    const changed = z !== this.#z;
    this.#z = z;
    this.#t = { x: clamp(t.x, w), y: clamp(t.y, hgt) };
    this.target.style.transform = z === 1 ? '' : `translate(${this.#t.x}px, ${this.#t.y}px) scale(${z})`;
    this.frame.classList.toggle('zoomed', z > 1);
    this.badge.hidden = this.resetButton.hidden = z === 1;
    this.badge.textContent = `${num(z, 1)}×`;
    if (changed) for (const l of [...this.#observers]) l(z);
  }

  #wheel(ev: WheelEvent): void {
    if (ev.deltaY === 0) return;
    const factor = ev.deltaY < 0 ? ZoomPan.STEP : 1 / ZoomPan.STEP;
    if (factor < 1 && this.#z === ZoomPan.MIN) return;
    ev.preventDefault();
    this.zoomBy(factor, this.#local(ev));
  }

  #dragStart(ev: PointerEvent): void {
    if (this.#z === 1 || ev.button !== 0 || ev.target !== this.target) return;
    this.#drag = { id: ev.pointerId, from: { x: ev.clientX, y: ev.clientY }, t: { ...this.#t } };
    this.frame.setPointerCapture?.(ev.pointerId);
    this.frame.classList.add('panning');
  }

  #dragMove(ev: PointerEvent): void {
    const d = this.#drag;
    if (!d || ev.pointerId !== d.id) return;
    this.#set(this.#z, { x: d.t.x + ev.clientX - d.from.x, y: d.t.y + ev.clientY - d.from.y });
  }

  #dragEnd(ev: PointerEvent): void {
    if (!this.#drag || ev.pointerId !== this.#drag.id) return;
    this.#drag = undefined;
    this.frame.classList.remove('panning');
  }
}
