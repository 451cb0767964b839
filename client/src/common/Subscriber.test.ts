import { describe, expect, it } from 'vitest';
import type { Device } from './device.js';
import type { SignallingSocket } from './signalling.js';
import { Subscriber } from './Subscriber.js';

/** A deferred answer to one signalling request. */
function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A socket whose `media:consume` answers wait for the test; every other request is answered at once. */
function fakes() {
  const consumeAnswers: ReturnType<typeof deferred<unknown>>[] = [];
  const socket = {
    timeout: () => ({
      emitWithAck: (name: string, payload: { producerId?: string }) => {
        if (name === 'transport:create') return Promise.resolve({ ok: true, data: { id: 't1' } });
        if (name !== 'media:consume') return Promise.resolve({ ok: true, data: {} });
        const answer = deferred<unknown>();
        consumeAnswers.push(answer);
        return answer.promise.then(() => ({
          ok: true,
          data: { consumerId: `c-${payload.producerId}`, producerId: payload.producerId, kind: 'video', rtpParameters: {} },
        }));
      },
    }),
  } as unknown as SignallingSocket;
  const consumers: { id: string; producerId: string; kind: string; closed: boolean; close(): void }[] = [];
  const transport = {
    id: 't1',
    closed: false,
    on: () => undefined,
    close: () => undefined,
    consume: async (o: { id: string; producerId: string; kind: string }) => {
      const consumer = {
        ...o,
        closed: false,
        track: {},
        observer: { on: () => undefined },
        close: () => void (consumer.closed = true),
        getStats: async () => new Map(),
      };
      consumers.push(consumer);
      return consumer;
    },
  };
  const device = { rtpCapabilities: {}, createRecvTransport: () => transport } as unknown as Device;
  return { socket, device, consumeAnswers, consumers };
}

describe('Subscriber', () => {
  it('shows no track of a producer that closed while its consumer was being made (the producer-closed push overtook the answer)', async () => {
    const { socket, device, consumeAnswers, consumers } = fakes();
    const tracks: string[] = [];
    const subscriber = new Subscriber(socket, device, 'session-1', (_track, info) => tracks.push(info.producerId));
    const first = subscriber.consume({ producerId: 'old' });
    await new Promise((r) => setTimeout(r, 0));
    subscriber.producerClosed('old');
    consumeAnswers[0]!.resolve(undefined);
    await first;
    const second = subscriber.consume({ producerId: 'new' });
    await new Promise((r) => setTimeout(r, 0));
    consumeAnswers[1]!.resolve(undefined);
    await second;
    expect(tracks).toEqual(['new']);
    expect(consumers.filter((c) => !c.closed).map((c) => c.producerId)).toEqual(['new']);
    subscriber.close();
  });
});
