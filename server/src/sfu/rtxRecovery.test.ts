import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * infra/mediasoup-worker/patches/3-nack-rtx-recovery.patch, on a real worker. Chrome's bandwidth
 * probes resend recent packets as RTX copies on their own; when the original was lost, that copy
 * can reach the worker before the seq was NACKed, or ahead of the newest seq seen. mediasoup 3.19.3
 * discards the copy in both cases and never asks for the seq again (mediasoup issue #906), so the
 * picture froze until the next key frame (docs/benchmarks.md, "Video under loss"). The patched
 * worker lets such a copy through, once: an original that turns up after its copy is a duplicate.
 *
 * The caller's side is a DirectTransport producer fed hand-made VP8 packets (each payload tagged
 * with its own seq), the console's a DirectTransport consumer whose packets are read back.
 */
const VP8_PT = 101;
const RTX_PT = 102;
const SSRC = 11110001;
const RTX_SSRC = 11110002;

let worker: types.Worker;
let producer: types.Producer;
const received: number[] = [];
let rtxSeq = 500;

/** A VP8 key-frame-looking packet (descriptor S=1, key frame bit clear) whose payload ends with `seq`'s tag. */
function original(seq: number): Buffer {
  const b = Buffer.alloc(15);
  b[0] = 0x80;
  b[1] = VP8_PT;
  b.writeUInt16BE(seq, 2);
  b.writeUInt32BE(seq * 3000, 4);
  b.writeUInt32BE(SSRC, 8);
  b[12] = 0x10;
  b[13] = 0x00;
  b[14] = seq;
  return b;
}

/** RFC 4588 copy of `seq`: the RTX stream's own seq, then the original seq, then the original payload. */
function rtxCopy(seq: number): Buffer {
  const o = original(seq);
  const b = Buffer.alloc(o.length + 2);
  o.copy(b, 0, 0, 12);
  b[1] = RTX_PT;
  b.writeUInt16BE(rtxSeq++, 2);
  b.writeUInt32BE(RTX_SSRC, 8);
  b.writeUInt16BE(seq, 12);
  o.copy(b, 14, 12);
  return b;
}

/** The tag (the producer-side seq) of a packet the consumer sent: the payload's last byte. */
function tagOf(packet: Buffer): number {
  let offset = 12 + (packet[0]! & 0x0f) * 4;
  if (packet[0]! & 0x10) offset += 4 + packet.readUInt16BE(offset + 2) * 4;
  let end = packet.length;
  if (packet[0]! & 0x20) end -= packet[end - 1]!;
  expect(end - offset, 'payload length').toBe(3);
  return packet[end - 1]!;
}

const settle = () => new Promise((r) => setTimeout(r, 150));

beforeAll(async () => {
  worker = await mediasoup.createWorker({ logLevel: 'error' });
  const router = await worker.createRouter({ mediaCodecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000 }] });
  const input = await router.createDirectTransport();
  producer = await input.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [
        { mimeType: 'video/VP8', payloadType: VP8_PT, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }] },
        { mimeType: 'video/rtx', payloadType: RTX_PT, clockRate: 90000, parameters: { apt: VP8_PT } },
      ],
      encodings: [{ ssrc: SSRC, rtx: { ssrc: RTX_SSRC } }],
    },
  });
  const output = await router.createDirectTransport();
  const consumer = await output.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
  consumer.on('rtp', (packet) => received.push(tagOf(packet)));
});

afterAll(() => worker?.close());

describe('RTX recovery in the patched mediasoup worker (issue #906)', () => {
  it('forwards the RTX copy of a lost packet that arrives before its NACK, and of one newer than any seen', async () => {
    for (const seq of [1, 2, 3]) producer.send(original(seq));
    await settle();
    expect(received, 'the stream flows').toEqual([1, 2, 3]);

    // 4 is lost; 5 arrives; a probe's copy of 4 arrives before the worker's NACK for 4 is due.
    producer.send(original(5));
    producer.send(rtxCopy(4));
    // 6 is lost; a probe's copy of it arrives while 5 is still the newest seq seen.
    producer.send(rtxCopy(6));
    for (const seq of [7, 8]) producer.send(original(seq));
    await settle();
    expect(
      [...received].sort((a, b) => a - b),
      'every seq reached the consumer',
    ).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('drops an original, and a second RTX copy, of a seq whose RTX copy already went through', async () => {
    const before = received.length;
    producer.send(original(6)); // late, after its copy
    producer.send(rtxCopy(6));
    producer.send(original(9));
    await settle();
    expect(received.slice(before), 'only the new packet').toEqual([9]);
  });
});
