import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { mkdir, rename, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { types } from 'mediasoup';
import type { ProducerInfo } from '@sightline/shared';
import type { Room } from '../../../server/src/sfu/Room.js';
import { MEDIA_CODECS } from '../../../server/src/sfu/codecs.js';

/**
 * Callers for the recording benchmark: a 720p30 clip at about 1.5 Mbit/s (the caller page's own
 * maxBitrate, client/src/caller/Publisher.ts), encoded once with ffmpeg and kept in the temp
 * directory, then looped by ffmpeg as RTP (stream copy, 1200-byte packets like a browser's) into a
 * PlainTransport producer of the room's router, adopted by the room as a caller's would be.
 */
export type Codec = 'VP8' | 'H264';

export const FPS = 30;
/** A key frame every 2 s: a looped clip cannot answer the recorder's key-frame requests. */
const GOP = 2 * FPS;
const CLIP_SEC = 10;
const BITRATE = '1500k';
const PAYLOAD_TYPE = { VP8: 101, H264: 102 } as const;

/**
 * Noise on the test picture, so the encoder needs the whole bitrate at 720p (a plain test picture
 * compresses to a fraction of it).
 */
const SOURCE = `testsrc2=size=1280x720:rate=${FPS},noise=alls=12:allf=t`;

const ENCODERS: Record<Codec, { ext: string; args: string[] }> = {
  VP8: {
    ext: 'webm',
    args: [
      '-c:v',
      'libvpx',
      '-deadline',
      'realtime',
      '-cpu-used',
      '16',
      '-threads',
      '2',
      '-auto-alt-ref',
      '0',
      '-b:v',
      BITRATE,
      '-minrate',
      BITRATE,
      '-maxrate',
      BITRATE,
      '-bufsize',
      '750k',
    ],
  },
  // Constrained baseline, level 3.1 (profile-level-id 42e01f, the router's); MPEG-TS keeps x264's
  // SPS/PPS in front of every key frame, as a browser sends them.
  H264: {
    ext: 'ts',
    args: [
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-tune',
      'zerolatency',
      '-profile:v',
      'baseline',
      '-level',
      '3.1',
      '-pix_fmt',
      'yuv420p',
      '-b:v',
      BITRATE,
      '-maxrate',
      BITRATE,
      '-bufsize',
      '750k',
    ],
  },
};

/** The clip for a codec, made on first use and kept (the temp directory, named by its parameters). */
export async function clip(codec: Codec): Promise<string> {
  const { ext, args } = ENCODERS[codec];
  const dir = path.join(os.tmpdir(), 'sightline-bench-clips');
  const file = path.join(dir, `${codec.toLowerCase()}-720p${FPS}-${BITRATE}-gop${GOP}-${CLIP_SEC}s.${ext}`);
  if (
    await stat(file).then(
      (s) => s.size > 0,
      () => false,
    )
  )
    return file;
  await mkdir(dir, { recursive: true });
  const tmp = `${file}.part.${process.pid}.${ext}`;
  await promisify(execFile)('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    SOURCE,
    '-t',
    String(CLIP_SEC),
    ...args,
    '-g',
    String(GOP),
    tmp,
  ]);
  await rename(tmp, file);
  return file;
}

export interface Caller {
  codec: Codec;
  producer: types.Producer;
  info: ProducerInfo;
  /** The sending ffmpeg. */
  pid: number;
  /** The worker's port the caller sends its RTP to. */
  ingestPort: number;
  /** Frames sent so far (the sender's own progress report, every 0.5 s). */
  framesSent(): number;
  stop(): Promise<void>;
}

/** The router's H264 parameters, so the producer matches them. */
function h264Parameters(): Record<string, unknown> {
  return { ...MEDIA_CODECS.find((c) => c.mimeType === 'video/H264')!.parameters };
}

/** Starts a caller in `room` and resolves once its video flows and is announced to the room. */
export async function startCaller(room: Room, codec: Codec, file: string): Promise<Caller> {
  // The bench's own leg into the worker gets a large buffer: ffmpeg -re sends each frame's packets
  // back to back, and a loss there would show up in the recordings as if the recorder had lost it.
  const input = await room.router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1', recvBufferSize: 4 * 1024 * 1024 },
    rtcpMux: false,
    comedia: true,
  });
  const ssrc = randomInt(1, 2 ** 31);
  const payloadType = PAYLOAD_TYPE[codec];
  const producer = await input.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: `video/${codec}`, payloadType, clockRate: 90000, ...(codec === 'H264' && { parameters: h264Parameters() }) }],
      encodings: [{ ssrc }],
    },
  });
  const sender = spawn(
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-re',
      '-stream_loop',
      '-1',
      '-i',
      file,
      '-map',
      '0:v',
      '-c',
      'copy',
      '-progress',
      'pipe:1',
      '-stats_period',
      '0.5',
      '-f',
      'rtp',
      '-ssrc',
      String(ssrc),
      '-payload_type',
      String(payloadType),
      `rtp://127.0.0.1:${input.tuple.localPort}?rtcpport=${input.rtcpTuple!.localPort}&pkt_size=1200`,
    ],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  let frames = 0;
  let pending = '';
  sender.stdout.setEncoding('utf8');
  sender.stdout.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^frame=(\d+)/.exec(line);
      if (m) frames = Number(m[1]);
    }
  });
  const stop = () => kill(sender, input);
  const deadline = Date.now() + 20_000;
  while (((await producer.getStats())[0]?.byteCount ?? 0) < 100_000) {
    if (Date.now() > deadline || sender.exitCode !== null) {
      await stop();
      throw new Error(`no RTP from the ${codec} caller within 20 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const info = room.adoptProducer(producer, 'camera');
  return { codec, producer, info, pid: sender.pid!, ingestPort: input.tuple.localPort, framesSent: () => frames, stop };
}

async function kill(sender: ChildProcess, input: types.PlainTransport): Promise<void> {
  if (sender.exitCode === null && sender.signalCode === null) {
    const exited = new Promise((r) => sender.once('exit', r));
    sender.kill('SIGKILL');
    await exited;
  }
  input.close();
}
