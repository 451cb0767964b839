import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Device } from '../common/device.js';
import type { SignallingSocket } from '../common/signalling.js';
import { DispatcherPicture, type PictureElements } from './DispatcherPicture.js';

/**
 * The caller's inset (issue #15 §1) without a browser: a socket that answers every request and
 * records its name, a device whose transports make consumers, plain objects for the page's elements.
 */
beforeAll(() => {
  (globalThis as unknown as { MediaStream: unknown }).MediaStream = class {
    constructor(readonly tracks: unknown[]) {}
  };
});
afterAll(() => delete (globalThis as unknown as { MediaStream?: unknown }).MediaStream);

function setUp() {
  const sent: string[] = [];
  const closed: string[] = [];
  let transports = 0;
  const answers: Record<string, unknown> = {
    'transport:create': { id: 't', iceParameters: {}, iceCandidates: [], dtlsParameters: {} },
    'show-me:receive': { consumerId: 'c', producerId: 'sm1', kind: 'video', rtpParameters: {} },
  };
  const socket = {
    timeout: () => ({
      emitWithAck: async (name: string) => {
        sent.push(name);
        return { ok: true, data: answers[name] ?? {} };
      },
    }),
  } as unknown as SignallingSocket;
  const device = {
    rtpCapabilities: {},
    createRecvTransport: () => {
      const id = `t${++transports}`;
      return {
        id,
        on: () => undefined,
        close: () => closed.push(id),
        consume: async () => ({ id: 'c', track: {}, closed: false, close: () => closed.push(`consumer of ${id}`) }),
      };
    },
  } as unknown as Device;
  let clicked: (() => void) | undefined;
  const el = {
    figure: { hidden: true },
    video: { srcObject: null, play: async () => undefined },
    close: { addEventListener: (_: string, fn: () => void) => (clicked = fn) },
    paused: { hidden: true },
  } as unknown as PictureElements;
  const picture = new DispatcherPicture(socket, Promise.resolve(device), 's', el);
  const settle = () => new Promise((r) => setTimeout(r, 10));
  return { picture, el, sent, closed, settle, click: () => clicked?.() };
}

describe('the dispatcher picture on the caller page', () => {
  it('receives what is shown on a transport of its own, and lets it go when nothing is', async () => {
    const { picture, el, sent, closed, settle } = setUp();
    picture.set({ producerId: 'sm1', source: 'camera' });
    await settle();
    expect(sent).toEqual(['transport:create', 'show-me:receive', 'show-me:resume']);
    expect(el.figure.hidden).toBe(false);
    expect(el.video.srcObject).not.toBeNull();
    picture.set(null);
    await settle();
    expect(el.figure.hidden).toBe(true);
    expect(closed).toEqual(['consumer of t1', 't1']);
    expect(sent.at(-1)).toBe('transport:close');
  });

  it('stops receiving while the network is weak (the caller video first), says why, and receives again once it recovers', async () => {
    const { picture, el, sent, settle } = setUp();
    picture.set({ producerId: 'sm1', source: 'cpr-hands' });
    await settle();
    picture.setWeak(true);
    await settle();
    expect(el.video.srcObject).toBeNull();
    expect(el.figure.hidden).toBe(false);
    expect(el.paused.hidden).toBe(false);
    expect(sent.at(-1)).toBe('transport:close');
    sent.length = 0;
    picture.setWeak(false);
    await settle();
    expect(el.paused.hidden).toBe(true);
    expect(sent).toEqual(['transport:create', 'show-me:receive', 'show-me:resume']);
  });

  it("closes at the caller's tap: receiving stops here, and the server is told", async () => {
    const { picture, el, sent, settle, click } = setUp();
    picture.set({ producerId: 'sm1', source: 'camera' });
    await settle();
    click();
    await settle();
    expect(el.figure.hidden).toBe(true);
    expect(el.video.srcObject).toBeNull();
    expect(sent.slice(-2)).toEqual(['transport:close', 'show-me:close']);
  });
});
