import { describe, expect, it } from 'vitest';
import type { Device } from '../common/device.js';
import type { SignallingSocket } from '../common/signalling.js';
import { CodecChoice } from './CodecChoice.js';

/** A socket that only delivers the server's `media:video-codecs` pushes the test sends. */
function fakeSocket() {
  let handler: ((p: { sessionId: string; codecs: string[] }) => void) | undefined;
  const socket = { on: (_name: string, fn: typeof handler) => (handler = fn) } as unknown as SignallingSocket;
  return { socket, push: (codecs: string[]) => handler?.({ sessionId: 's', codecs }) };
}

const device = (...mimeTypes: string[]) =>
  ({
    sendRtpCapabilities: {
      codecs: [{ kind: 'audio', mimeType: 'audio/opus' }, ...mimeTypes.map((mimeType) => ({ kind: 'video', mimeType, clockRate: 90000 }))],
    },
  }) as unknown as Device;

describe('the caller video codec choice', () => {
  it('sends H264 where it can, VP8 where it cannot, until the server says otherwise', () => {
    const { socket } = fakeSocket();
    const choice = new CodecChoice(socket);
    expect(choice.pick(device('video/VP8', 'video/H264'))?.mimeType).toBe('video/H264');
    expect(choice.pick(device('video/VP8'))?.mimeType).toBe('video/VP8');
    expect(choice.pick(device())).toBeUndefined();
  });

  it('sends the first codec every receiver plays, and switches only when its codec drops out of that list', () => {
    const { socket, push } = fakeSocket();
    const choice = new CodecChoice(socket);
    let changes = 0;
    choice.onChange(() => changes++);
    const both = device('video/H264', 'video/VP8');
    push(['video/VP8']);
    expect(changes).toBe(1);
    expect(choice.pick(both)?.mimeType).toBe('video/VP8');
    expect(choice.shouldSwitch(both, 'video/H264')).toBe(true);
    expect(choice.shouldSwitch(both, 'video/VP8')).toBe(false);
    // The viewer that needed VP8 left: VP8 still suits everyone, so the picture is not cut again.
    push(['video/H264', 'video/VP8']);
    expect(choice.shouldSwitch(both, 'video/VP8')).toBe(false);
  });

  it('keeps its codec when it cannot send any the receivers play (they are told why)', () => {
    const { socket, push } = fakeSocket();
    const choice = new CodecChoice(socket);
    push(['video/VP8']);
    const h264Only = device('video/H264');
    expect(choice.pick(h264Only)?.mimeType).toBe('video/H264');
    expect(choice.shouldSwitch(h264Only, 'video/H264')).toBe(false);
  });
});
