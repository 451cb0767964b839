import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { rename } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import * as mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { MEDIA_CODECS } from '../../../server/src/sfu/codecs.js';
import { SRTP_SUITE, type SessionAnswer, type SessionPlan } from './protocol.js';

/**
 * The capacity bench's load generator: one ffmpeg sends a looped VP8 clip once, as plain RTP, into
 * mediasoup workers of its own ("load" workers, measured apart from the system under test). They fan
 * it out as one SRTP stream per session to the caller transport of the system under test, and take
 * the system's two SRTP streams per session (console and viewer) back on SRTP PlainTransports whose
 * receive statistics give packets and losses.
 */

export interface ClipOptions {
  width: number;
  height: number;
  fps: number;
  kbps: number;
  seconds: number;
}

export const HD_CLIP: ClipOptions = { width: 1280, height: 720, fps: 30, kbps: 1500, seconds: 20 };

/**
 * A VP8 clip of the test picture with film grain (so the encoder spends its bitrate as on a camera's
 * picture), constant bitrate, a key frame every 2 s. Made once and kept in the temp directory.
 */
export async function makeClip(o: ClipOptions): Promise<string> {
  const file = path.join(os.tmpdir(), `sightline-capacity-${o.width}x${o.height}-${o.fps}fps-${o.kbps}k-${o.seconds}s.webm`);
  if (existsSync(file)) return file;
  const rate = `${o.kbps}k`;
  await promisify(execFile)('ffmpeg', [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=size=${o.width}x${o.height}:rate=${o.fps}`,
    '-vf',
    'noise=alls=10:allf=t',
    '-t',
    String(o.seconds),
    '-an',
    '-c:v',
    'libvpx',
    '-deadline',
    'realtime',
    '-cpu-used',
    '8',
    '-b:v',
    rate,
    '-minrate',
    rate,
    '-maxrate',
    rate,
    '-bufsize',
    rate,
    '-g',
    String(2 * o.fps),
    `${file}.part.webm`,
  ]);
  await rename(`${file}.part.webm`, file);
  return file;
}

/** The load side of one session: the caller's stream out, the console's and viewer's streams in. */
export class LoadSession {
  constructor(
    private readonly out: types.PlainTransport,
    private readonly sent: types.Consumer,
    private readonly ins: types.PlainTransport[],
    readonly received: types.Producer[] = [],
  ) {}

  /** RTP packets sent to the system, and per receiver packets received and lost (RFC 3550 counts). */
  async counters(): Promise<{ sent: number; received: number[]; lost: number[] }> {
    const outbound = (await this.sent.getStats()).find((s) => s.type === 'outbound-rtp');
    const inbound = await Promise.all(this.received.map(async (p) => (await p.getStats()).find((s) => s.type === 'inbound-rtp')));
    return { sent: outbound?.packetCount ?? 0, received: inbound.map((s) => s?.packetCount ?? 0), lost: inbound.map((s) => s?.packetsLost ?? 0) };
  }

  close(): void {
    this.out.close();
    for (const t of this.ins) t.close();
  }
}

export class LoadGenerator {
  private constructor(
    private readonly workers: types.Worker[],
    private readonly routers: types.Router[],
    private readonly source: types.Producer,
    private readonly ffmpeg: ChildProcess,
  ) {}

  static async start(clip: string, workerCount: number): Promise<LoadGenerator> {
    const workers: types.Worker[] = [];
    const routers: types.Router[] = [];
    for (let i = 0; i < workerCount; i++) {
      const worker = await mediasoup.createWorker({ logLevel: 'warn', rtcMinPort: 10000, rtcMaxPort: 49999 });
      workers.push(worker);
      routers.push(await worker.createRouter({ mediaCodecs: MEDIA_CODECS }));
    }
    const input = await routers[0]!.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
    const ssrc = 22_222_222;
    const source = await input.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc }] },
    });
    for (const router of routers.slice(1)) await routers[0]!.pipeToRouter({ producerId: source.id, router });
    const ffmpeg = spawn(
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
        clip,
        '-c:v',
        'copy',
        '-f',
        'rtp',
        '-ssrc',
        String(ssrc),
        '-payload_type',
        '101',
        `rtp://127.0.0.1:${input.tuple.localPort}?rtcpport=${input.rtcpTuple!.localPort}&pkt_size=1200`,
      ],
      { stdio: 'ignore' },
    );
    return new LoadGenerator(workers, routers, source, ffmpeg);
  }

  /** The load workers' and ffmpeg's pids (their CPU is the load generator's, not the system's). */
  get pids(): number[] {
    return [...this.workers.map((w) => w.pid), this.ffmpeg.pid!];
  }

  /** Packets the clip sends per second into the load workers (what each session's caller sends). */
  async sourcePackets(): Promise<number> {
    return (await this.source.getStats()).find((s) => s.type === 'inbound-rtp')?.packetCount ?? 0;
  }

  /**
   * Prepares session `index`'s load side and plan; `connect` then wires it to the system's answer.
   * `receivers`: how many consumers the system makes (2: console and viewer).
   */
  async prepare(index: number, receivers = 2): Promise<{ plan: SessionPlan; connect(answer: SessionAnswer): Promise<LoadSession> }> {
    const router = this.routers[index % this.routers.length]!;
    const srtp = { listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, enableSrtp: true, srtpCryptoSuite: SRTP_SUITE } as const;
    const out = await router.createPlainTransport({ ...srtp, comedia: false });
    const sent = await out.consume({ producerId: this.source.id, rtpCapabilities: router.rtpCapabilities });
    const ins: types.PlainTransport[] = [];
    for (let k = 0; k < receivers; k++) ins.push(await router.createPlainTransport({ ...srtp, comedia: true }));
    const plan: SessionPlan = {
      index,
      callerSrtp: out.srtpParameters!,
      rtpParameters: sent.rtpParameters,
      receivers: ins.map((t) => ({ port: t.tuple.localPort, srtp: t.srtpParameters! })),
    };
    return {
      plan,
      connect: async (answer) => {
        await out.connect({ ip: '127.0.0.1', port: answer.callerPort, srtpParameters: answer.callerSrtp });
        const session = new LoadSession(out, sent, ins);
        for (const [k, t] of ins.entries()) {
          const consumer = answer.consumers[k]!;
          await t.connect({ srtpParameters: consumer.srtp });
          session.received.push(await t.produce({ kind: 'video', rtpParameters: consumer.rtpParameters }));
        }
        return session;
      },
    };
  }

  async close(): Promise<void> {
    if (this.ffmpeg.exitCode === null && this.ffmpeg.signalCode === null) {
      const exited = new Promise((r) => this.ffmpeg.once('exit', r));
      this.ffmpeg.kill('SIGKILL');
      await exited;
    }
    for (const w of this.workers) w.close();
  }
}
