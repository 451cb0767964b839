import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import dgram from 'node:dgram';
import { EventEmitter } from 'node:events';
import { rm, writeFile } from 'node:fs/promises';
import type { types } from 'mediasoup';
import type { ProducerInfo } from '@sightline/shared';
import type { Logger } from '../logging.js';
import { waitForUdpListeners } from './listening.js';
import { RECORDER_RECEIVE_BUFFER_BYTES } from './receiveBuffer.js';
import { rtcpBye } from './rtcp.js';
import type { PortAllocator, PortPair } from './PortAllocator.js';
import { codecName, mediaCodec, recordingSdp } from './sdp.js';

const HAS_SETPRIV = existsSync('/usr/bin/setpriv');

const LOOPBACK = '127.0.0.1';
const STDERR_TAIL = 2000;

export interface RecorderOptions {
  router: types.Router;
  /** The producers recorded together into one file. */
  producers: readonly ProducerInfo[];
  /** Output file (Matroska); must not exist yet. */
  file: string;
  /** Where the SDP for ffmpeg is written (removed when the recorder is done). */
  sdpFile: string;
  ports: PortAllocator;
  ffmpegBin: string;
  /** ffmpeg's whole environment: PATH and locale, never the server's secrets (security/childEnv.ts). */
  env: Record<string, string>;
  log: Logger;
  /**
   * SO_RCVBUF asked for each RTP socket of ffmpeg (its `-buffer_size`), bytes: what it holds while
   * ffmpeg stalls (receiveBuffer.ts). Default RECORDER_RECEIVE_BUFFER_BYTES; the host's
   * net.core.rmem_max caps it.
   */
  receiveBufferBytes?: number;
  /** How long ffmpeg may take to open its ports. Default 10 s. */
  listenTimeoutMs?: number;
  /** How long ffmpeg may take to finish after it was asked to stop, before SIGKILL. Default 10 s. */
  stopTimeoutMs?: number;
  /**
   * How long the segment may go without a key frame (ffmpeg writes nothing before one) before it is
   * failed (`failed` with reason `no_key_frame`): an empty segment must not pass for a recording.
   * Default NO_KEY_FRAME_MS.
   */
  noKeyFrameMs?: number;
}

/** Key frames are asked for at once and every 1.5 s; after this many ms without one the segment has failed. */
export const NO_KEY_FRAME_MS = 6000;

export interface RecorderExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** The recorder had to SIGKILL ffmpeg at stop: the file likely lacks its trailer. */
  killed: boolean;
  /** The last lines ffmpeg wrote to stderr. */
  stderr: string;
  /** Why the recorder ended ffmpeg itself: no key frame came within `noKeyFrameMs`. */
  reason?: 'no_key_frame';
}

export interface RecorderEvents {
  /** ffmpeg exited without being asked to. The recorder has already released its transports and ports. */
  failed: [exit: RecorderExit];
  /** A recorded producer closed (its consumer went with it). */
  'producer-closed': [producerId: string];
  /**
   * Once: ffmpeg writes media, so it has had a key frame (it writes nothing before one). `waitedMs`:
   * from the consumers' resume (the first key-frame request) to then, to within ffmpeg's progress
   * period (0.5 s).
   */
  writing: [waitedMs: number];
}

interface Stream {
  info: ProducerInfo;
  consumer: types.Consumer;
  ports: PortPair;
}

/**
 * One recording segment: for each producer a PlainTransport on loopback whose consumer sends RTP to
 * an ffmpeg that copies everything into one Matroska file. Consumers start paused and are resumed
 * only once ffmpeg listens, so the file begins with the key frame requested then.
 */
export class Recorder extends EventEmitter<RecorderEvents> {
  #streams: Stream[] = [];
  #transports: types.PlainTransport[] = [];
  #pairs: PortPair[] = [];
  #child: ChildProcess | undefined;
  #exited: Promise<RecorderExit> | undefined;
  #exit: RecorderExit | undefined;
  #stopping: Promise<RecorderExit> | undefined;
  #stderr = '';
  #killed = false;
  #noKeyFrame = false;
  #released = false;
  #started = false;
  #writing = false;
  #keyFrameTimer: NodeJS.Timeout | undefined;
  /** When the consumers were resumed and the first key frames asked for (ms). */
  #resumedAt = 0;

  private constructor(private readonly opts: RecorderOptions) {
    super();
  }

  /** Starts ffmpeg and the media towards it. On failure everything opened is closed again and it rejects. */
  static async start(opts: RecorderOptions): Promise<Recorder> {
    const recorder = new Recorder(opts);
    try {
      await recorder.#start();
    } catch (err) {
      recorder.#child?.kill('SIGKILL');
      await recorder.#exited;
      await recorder.#release();
      const tail = recorder.#stderr.trim();
      throw new Error(`${(err as Error).message}${tail ? `: ${tail}` : ''}`, { cause: err });
    }
    return recorder;
  }

  get producerIds(): string[] {
    return this.#streams.map((s) => s.info.producerId);
  }

  /** Codec names of the streams, as ffprobe would spell them. */
  get codecs(): string[] {
    return this.#streams.map((s) => codecName(mediaCodec(s.consumer.rtpParameters).mimeType));
  }

  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** ffmpeg has written media to the file (it waits for a key frame first). */
  get writing(): boolean {
    return this.#writing;
  }

  get running(): boolean {
    return this.#child !== undefined && this.#exit === undefined;
  }

  async #start(): Promise<void> {
    const { router, producers, log } = this.opts;
    if (producers.length === 0) throw new Error('nothing to record');
    const rtpCapabilities = recordingCapabilities(router.rtpCapabilities);
    for (const info of producers) {
      // The transport first: mediasoup's own ports are then taken before ffmpeg's are chosen.
      const transport = await router.createPlainTransport({
        listenInfo: { protocol: 'udp', ip: LOOPBACK },
        rtcpMux: false,
        comedia: false,
        appData: { recording: true },
      });
      this.#transports.push(transport);
      const ports = await this.opts.ports.allocate();
      this.#pairs.push(ports);
      await transport.connect({ ip: LOOPBACK, port: ports.rtp, rtcpPort: ports.rtcp });
      const consumer = await transport.consume({ producerId: info.producerId, rtpCapabilities, paused: true });
      consumer.on('producerclose', () => this.emit('producer-closed', info.producerId));
      this.#streams.push({ info, consumer, ports });
    }

    const sdp = recordingSdp(
      this.#streams.map((s) => ({ kind: s.consumer.kind, rtpParameters: s.consumer.rtpParameters, port: s.ports.rtp })),
      { ip: LOOPBACK },
    );
    await writeFile(this.opts.sdpFile, sdp, { flag: 'w' });

    const args = [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'warning',
      '-protocol_whitelist',
      'file,udp,rtp',
      // Listen on loopback only: nobody else may inject packets into a recording.
      '-localaddr',
      LOOPBACK,
      // Stream copy needs only the codec parameters (the picture size comes with the first key frame),
      // not a frame rate estimate, which would hold the start back by 20 frames.
      '-fpsprobesize',
      '0',
      // Arrival time as timestamps: RTP timestamps are rebased when the first RTCP sender report of
      // each stream arrives, which makes them jump back; arrival time keeps audio and video in step.
      '-use_wallclock_as_timestamps',
      '1',
      // ffmpeg reads RTP in the thread that writes the file: while a write stalls, packets wait in
      // the socket's buffer, so ask for one that holds seconds of video, not ffmpeg's 384 KiB.
      '-buffer_size',
      String(this.opts.receiveBufferBytes ?? RECORDER_RECEIVE_BUFFER_BYTES),
      '-i',
      this.opts.sdpFile,
      '-map',
      '0',
      '-c',
      'copy',
      '-f',
      'matroska',
      // Close a cluster every second and write it out at once: if ffmpeg dies, at most about a
      // second is lost, and what is on disk can be repaired (see remux.ts).
      '-cluster_time_limit',
      '1000',
      '-flush_packets',
      '1',
      // Progress on stdout tells when packets are actually written.
      '-progress',
      'pipe:1',
      '-stats_period',
      '0.5',
      '-n',
      this.opts.file,
    ];
    // setpriv (util-linux) makes ffmpeg die with this process: a SIGKILLed node must not leave
    // recorders behind, holding ports and waiting for packets that never come.
    // Its own environment, not ours: ffmpeg parses what a caller shaped and must hold no secret.
    const spawnOpts = { stdio: ['ignore', 'pipe', 'pipe'] as ('ignore' | 'pipe')[], env: this.opts.env };
    const child = HAS_SETPRIV
      ? spawn('setpriv', ['--pdeathsig', 'KILL', '--', this.opts.ffmpegBin, ...args], spawnOpts)
      : spawn(this.opts.ffmpegBin, args, spawnOpts);
    this.#child = child;
    child.stdout?.setEncoding('utf8');
    child.stdout?.on('data', (chunk: string) => {
      if (!this.#writing && /^out_time_us=[1-9]/m.test(chunk)) {
        this.#writing = true;
        this.emit('writing', Date.now() - this.#resumedAt);
      }
    });
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL);
    });
    this.#exited = new Promise<RecorderExit>((resolve) => {
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null) => {
        if (done) return;
        done = true;
        this.#exit = { code, signal, killed: this.#killed, stderr: this.#stderr.trim(), ...(this.#noKeyFrame && { reason: 'no_key_frame' as const }) };
        resolve(this.#exit);
      };
      child.once('error', (err) => {
        this.#stderr += `\n${err.message}`;
        finish(null, null);
      });
      child.once('exit', (code, signal) => finish(code, signal));
    });
    void this.#exited.then((exit) => this.#onExit(exit));
    log.debug({ pid: child.pid, file: this.opts.file, ports: this.#pairs.map((p) => p.rtp) }, 'recorder ffmpeg started');

    await waitForUdpListeners(
      this.#pairs.flatMap((p) => [p.rtp, p.rtcp]),
      { timeoutMs: this.opts.listenTimeoutMs ?? 10_000, gaveUp: () => this.#exit !== undefined },
    );
    this.#resumedAt = Date.now();
    for (const s of this.#streams) await s.consumer.resume();
    await this.#requestKeyFrames();
    if (this.#exit) throw new Error(`ffmpeg exited at start (code ${this.#exit.code})`);
    this.#started = true;
    this.#keyFramesUntilWriting();
  }

  async #requestKeyFrames(): Promise<void> {
    for (const s of this.#streams) {
      if (s.consumer.kind !== 'video' || s.consumer.closed) continue;
      await s.consumer.requestKeyFrame().catch((err: Error) => this.opts.log.debug({ err: err.message }, 'key frame request failed'));
    }
  }

  /**
   * ffmpeg writes nothing until it saw a key frame (it needs the picture size). A sender that was
   * paused, or lost the first request, is asked again until media is written; one that never sends
   * a key frame fails the segment after `noKeyFrameMs` (ffmpeg is killed: it has nothing to keep).
   */
  #keyFramesUntilWriting(): void {
    this.#keyFrameTimer = setInterval(() => {
      if (this.#writing || !this.running || this.#stopping) clearInterval(this.#keyFrameTimer);
      else if (Date.now() - this.#resumedAt >= (this.opts.noKeyFrameMs ?? NO_KEY_FRAME_MS)) {
        clearInterval(this.#keyFrameTimer);
        this.#noKeyFrame = true;
        this.#child?.kill('SIGKILL');
      } else void this.#requestKeyFrames();
    }, 1500);
    this.#keyFrameTimer.unref();
  }

  #onExit(exit: RecorderExit): void {
    clearInterval(this.#keyFrameTimer);
    if (this.#stopping || !this.#started) return; // asked for, or still starting (start() reports it)
    this.opts.log.warn({ file: this.opts.file, exitCode: exit.code, signal: exit.signal, stderr: exit.stderr }, 'recorder ffmpeg exited unexpectedly');
    void this.#release().then(() => this.emit('failed', exit));
  }

  /**
   * Ends the segment: SIGINT makes ffmpeg finish the file while RTP still flows; an RTCP BYE per
   * stream makes it finish when RTP has already stopped (a closed producer), since ffmpeg only looks
   * at the signal between packets. SIGKILL after the timeout. Then the transports and ports go.
   */
  stop(): Promise<RecorderExit> {
    this.#stopping ??= this.#stop();
    return this.#stopping;
  }

  async #stop(): Promise<RecorderExit> {
    clearInterval(this.#keyFrameTimer);
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) {
      await this.#release();
      return { code: null, signal: null, killed: false, stderr: '' };
    }
    if (this.#exit === undefined) {
      child.kill('SIGINT');
      const bye = dgram.createSocket('udp4');
      bye.on('error', () => undefined);
      const sendByes = () => {
        for (const s of this.#streams) {
          bye.send(rtcpBye(s.consumer.rtpParameters.encodings?.[0]?.ssrc ?? 0), s.ports.rtp, LOOPBACK);
        }
      };
      sendByes();
      const again = setInterval(sendByes, 1000);
      const timer = setTimeout(() => {
        this.#killed = true;
        child.kill('SIGKILL');
      }, this.opts.stopTimeoutMs ?? 10_000);
      try {
        await exited;
      } finally {
        clearInterval(again);
        clearTimeout(timer);
        bye.close();
      }
    }
    await this.#release();
    const exit = await exited;
    this.opts.log.debug(
      { file: this.opts.file, exitCode: exit.code, signal: exit.signal, killed: exit.killed, stderr: exit.stderr },
      'recorder ffmpeg stopped',
    );
    return exit;
  }

  async #release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    for (const t of this.#transports) t.close();
    for (const p of this.#pairs) this.opts.ports.release(p);
    await rm(this.opts.sdpFile, { force: true }).catch(() => undefined);
  }
}

/** The router's codecs without RTX and without header extensions: ffmpeg uses neither. */
function recordingCapabilities(caps: types.RtpCapabilities): types.RtpCapabilities {
  return { codecs: (caps.codecs ?? []).filter((c) => !/\/rtx$/i.test(c.mimeType)), headerExtensions: [] };
}
