import type { ShowMe } from '@sightline/shared';
import type { Device } from '../common/device.js';
import { h } from '../common/dom.js';
import type { SignallingSocket } from '../common/signalling.js';
import { Subscriber } from '../common/Subscriber.js';

/** Its heading, and what says which source (a clip's name is shown as it is: the centre named it). */
export interface ShownWords {
  title: string;
  camera: string;
  clip: string;
}

/**
 * What the dispatcher shows the caller (issue #15 §1), on the viewer's page as a second small video,
 * so the AMK doctor sees the same instruction the caller does. Received on a transport of its own
 * (a Subscriber apart from the caller's video, whose state and stats it must not touch); hidden while
 * nothing is shown.
 */
export class ShownToCaller {
  readonly el: HTMLElement;
  #video = h('video', { testid: 'viewer-show-me-video', autoplay: true, muted: true, playsinline: true });
  #what = h('p', { class: 'muted' });
  #subscriber: Subscriber | undefined;
  #producerId: string | undefined;

  constructor(private readonly words: ShownWords) {
    this.#video.muted = true;
    this.el = h('section', { class: 'shown-to-caller', testid: 'viewer-show-me', hidden: true }, h('h2', {}, words.title), this.#video, this.#what);
  }

  /** Receives from now on in this session (after each join: the server forgot the old transports). */
  start(socket: SignallingSocket, device: Device, sessionId: string): void {
    this.#subscriber?.close();
    this.#producerId = undefined;
    this.#subscriber = new Subscriber(socket, device, sessionId, (track) => {
      this.#video.srcObject = new MediaStream([track]);
      void this.#video.play().catch(() => undefined);
    });
  }

  /** What is shown now (the join answer, then `show-me:changed`); null: nothing. */
  set(showMe: ShowMe | null): void {
    if (showMe?.producerId === this.#producerId) return;
    if (this.#producerId) this.#subscriber?.producerClosed(this.#producerId);
    this.#producerId = showMe?.producerId;
    this.el.hidden = !showMe;
    if (!showMe) {
      this.#video.srcObject = null;
      return;
    }
    this.#what.textContent = showMe.source === 'camera' ? this.words.camera : `${this.words.clip}: ${showMe.source}`;
    void this.#subscriber?.consume({ producerId: showMe.producerId }).catch(() => undefined);
  }

  close(): void {
    this.#subscriber?.close();
    this.#subscriber = undefined;
    this.#producerId = undefined;
    this.#video.srcObject = null;
    this.el.hidden = true;
  }
}
