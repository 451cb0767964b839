import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import type { types } from 'mediasoup';
import type { ProducerInfo } from '@sightline/shared';
import type { Room } from '../sfu/Room.js';
import { MEDIA_CODECS } from '../sfu/codecs.js';

/**
 * Known media for tests: ffmpeg encodes a test picture (or a tone) and sends it as RTP into a
 * PlainTransport producer on a room's router, announced the way Room.produce announces a caller's.
 * What was sent is known (codec, frame rate), so what comes out of the recorder can be checked.
 */
export type VideoCodec = 'VP8' | 'H264';

export interface RtpSource {
  producer: types.Producer;
  info: ProducerInfo;
  /** Frames per second the sender aims at (video), paced by ffmpeg's -re. */
  fps: number;
  /**
   * Frames the sender has sent so far, from its own progress report (every 0.1 s). Under load -re
   * falls behind and then catches up in a burst, so what was sent in a window is measured, not assumed.
   */
  framesSent(): number;
  /** Stops the sender (SIGKILL) and waits until it is gone. */
  stop(): Promise<void>;
}

const VIDEO_PT = { VP8: 101, H264: 102 } as const;

/** The router's own H264 parameters (packetization-mode 1, constrained baseline), so the producer matches them. */
function h264Parameters(): Record<string, unknown> {
  const codec = MEDIA_CODECS.find((c) => c.mimeType === 'video/H264');
  if (!codec) throw new Error('the router has no H264 codec');
  return { ...codec.parameters };
}

/** A camera: 320×240 test picture at `fps` (a key frame every second), VP8 or H264. */
export async function ffmpegCamera(room: Room, opts: { codec?: VideoCodec; fps?: number } = {}): Promise<RtpSource> {
  const codec = opts.codec ?? 'VP8';
  const fps = opts.fps ?? 15;
  const input = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: true });
  const ssrc = randomInt(1, 2 ** 31);
  const payloadType = VIDEO_PT[codec];
  const producer = await input.produce({
    kind: 'video',
    rtpParameters: {
      codecs: [{ mimeType: `video/${codec}`, payloadType, clockRate: 90000, ...(codec === 'H264' && { parameters: h264Parameters() }) }],
      encodings: [{ ssrc }],
    },
  });
  const encoder =
    codec === 'VP8'
      ? ['-c:v', 'libvpx', '-deadline', 'realtime', '-b:v', '300k', '-g', String(fps)]
      : // Constrained baseline, level 3.1 (profile-level-id 42e01f); ffmpeg's RTP muxer sends FU-A (packetization-mode 1)
        // and x264 repeats SPS/PPS before every key frame, so a receiver can start at any key frame.
        [
          '-c:v',
          'libx264',
          '-pix_fmt',
          'yuv420p',
          '-profile:v',
          'baseline',
          '-level',
          '3.1',
          '-tune',
          'zerolatency',
          '-preset',
          'ultrafast',
          '-b:v',
          '300k',
          '-g',
          String(fps),
        ];
  const sender = sendRtp(['-f', 'lavfi', '-i', `testsrc=size=320x240:rate=${fps}`, ...encoder], {
    ssrc,
    payloadType,
    rtpPort: input.tuple.localPort,
    rtcpPort: input.rtcpTuple!.localPort,
  });
  // ffmpeg sends its first second or so in a burst (-re catching up after the encoder's start): the
  // camera is announced once it sends steadily, as a phone's camera would from the start.
  const src = source(producer, 'camera', fps, sender);
  return announceOnceFlowing(room, src, 5_000, () => src.framesSent() >= 2 * fps);
}

/**
 * Encodes a test clip of `seconds` for clipCamera: H264 constrained baseline (the router's profile),
 * `size` at `fps`, about `bitrate` (noise on the picture, so the encoder needs all of it), a key frame
 * every second, in MPEG-TS (x264's SPS/PPS stay in front of every key frame, as a browser sends them).
 */
export async function encodeClip(file: string, opts: { size?: string; fps?: number; bitrate?: string; seconds?: number } = {}): Promise<void> {
  const fps = opts.fps ?? 30;
  const bitrate = opts.bitrate ?? '1500k';
  await new Promise<void>((resolve, reject) => {
    const args = [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=size=${opts.size ?? '1280x720'}:rate=${fps},noise=alls=12:allf=t`,
      '-t',
      String(opts.seconds ?? 4),
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
      bitrate,
      '-maxrate',
      bitrate,
      '-bufsize',
      bitrate,
      '-g',
      String(fps),
      '-f',
      'mpegts',
      file,
    ];
    const child = spawn('ffmpeg', args, { stdio: 'ignore' });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`ffmpeg could not encode ${file} (exit ${code})`))));
  });
}

/**
 * A camera that sends an H264 clip (encodeClip) in a loop at its own pace: stream copy, so a
 * 720p 1.5 Mbit/s caller costs no encoding. `pid` is the sending ffmpeg's.
 */
export async function clipCamera(room: Room, clip: string, opts: { fps?: number } = {}): Promise<RtpSource & { pid: number }> {
  const fps = opts.fps ?? 30;
  const input = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: true });
  const ssrc = randomInt(1, 2 ** 31);
  const payloadType = VIDEO_PT.H264;
  const producer = await input.produce({
    kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/H264', payloadType, clockRate: 90000, parameters: h264Parameters() }], encodings: [{ ssrc }] },
  });
  const sender = sendRtp(['-stream_loop', '-1', '-i', clip, '-map', '0:v', '-c', 'copy'], {
    ssrc,
    payloadType,
    rtpPort: input.tuple.localPort,
    rtcpPort: input.rtcpTuple!.localPort,
  });
  const src = source(producer, 'camera', fps, sender);
  return { ...(await announceOnceFlowing(room, src, 100_000, () => src.framesSent() >= fps)), pid: sender.pid! };
}

/** A microphone: a 440 Hz tone in Opus. */
export async function ffmpegMicrophone(room: Room): Promise<RtpSource> {
  const input = await room.router.createPlainTransport({ listenIp: '127.0.0.1', rtcpMux: false, comedia: true });
  const ssrc = randomInt(1, 2 ** 31);
  const producer = await input.produce({
    kind: 'audio',
    rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc }] },
  });
  const sender = sendRtp(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-c:a', 'libopus', '-ac', '2', '-b:a', '32k'], {
    ssrc,
    payloadType: 100,
    rtpPort: input.tuple.localPort,
    rtcpPort: input.rtcpTuple!.localPort,
  });
  return announceOnceFlowing(room, source(producer, 'microphone', 0, sender), 2_000, () => true);
}

function sendRtp(input: string[], to: { ssrc: number; payloadType: number; rtpPort: number; rtcpPort: number }): ChildProcess {
  const args = [
    '-hide_banner',
    '-nostdin',
    '-loglevel',
    'error',
    '-re',
    ...input,
    '-progress',
    'pipe:1',
    '-stats_period',
    '0.1',
    '-f',
    'rtp',
    '-ssrc',
    String(to.ssrc),
    '-payload_type',
    String(to.payloadType),
    `rtp://127.0.0.1:${to.rtpPort}?rtcpport=${to.rtcpPort}&pkt_size=1200`,
  ];
  return spawn('ffmpeg', args, { stdio: ['ignore', 'pipe', 'ignore'] });
}

function source(producer: types.Producer, kind: 'camera' | 'microphone', fps: number, sender: ChildProcess): RtpSource {
  let frames = 0;
  let pending = '';
  sender.stdout?.setEncoding('utf8');
  sender.stdout?.on('data', (chunk: string) => {
    const lines = (pending + chunk).split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const m = /^frame=(\d+)/.exec(line);
      if (m) frames = Number(m[1]);
    }
  });
  return {
    producer,
    info: { producerId: producer.id, kind: producer.kind, source: kind },
    fps,
    framesSent: () => frames,
    async stop() {
      if (sender.exitCode !== null || sender.signalCode !== null) return;
      const exited = new Promise((r) => sender.once('exit', r));
      sender.kill('SIGKILL');
      await exited;
    },
  };
}

/** Waits for the sender's first packets, then announces the producer on the room (as Room.produce does). */
async function announceOnceFlowing(room: Room, src: RtpSource, bytes: number, steady: () => boolean): Promise<RtpSource> {
  const deadline = Date.now() + 15_000;
  while (((await src.producer.getStats())[0]?.byteCount ?? 0) <= bytes || !steady()) {
    if (Date.now() > deadline) {
      await src.stop();
      throw new Error(`no RTP from the ffmpeg ${src.info.source} within 15 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  room.emit('producer-added', src.info);
  src.producer.observer.once('close', () => room.emit('producer-closed', src.producer.id));
  return src;
}
