import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import type { DiskSpace } from '../storage/DiskSpace.js';
import type { ProducerInfo } from '@sightline/shared';
import type { Logger } from '../logging.js';
import type { Room } from '../sfu/Room.js';
import { probeMedia, type MediaProbe } from './ffprobe.js';
import type { PortAllocator } from './PortAllocator.js';
import { Recorder, type RecorderExit } from './Recorder.js';
import type { RecordingIndex } from './RecordingIndex.js';
import { remuxInPlace } from './remux.js';
import type { RecordingEventSink, RecordingEventType, RecordingInfo, RecordingPolicy } from './types.js';

export interface SessionRecordingDeps {
  sessionId: string;
  policy: RecordingPolicy;
  index: RecordingIndex;
  sink: RecordingEventSink;
  ports: PortAllocator;
  ffmpegBin: string;
  ffprobeBin: string;
  /** The environment ffmpeg and ffprobe run with: no secrets (security/childEnv.ts). */
  childEnv: Record<string, string>;
  /** The data directory's free-space floor: no segment starts below it. */
  disk?: DiskSpace;
  /** SO_RCVBUF asked for ffmpeg's RTP sockets (RecorderOptions.receiveBufferBytes). */
  receiveBufferBytes?: number;
  /** RecorderOptions.noKeyFrameMs. */
  noKeyFrameMs?: number;
  log: Logger;
  /** Producers of one (re)connection arrive within moments; wait this long before (re)starting. */
  settleMs: number;
  /**
   * Segments replaced (their producers changed) start no more often than one per this, sustained, so
   * a client that produces again and again cannot make ffmpeg restart at its pace. A burst of
   * QUICK_REPLACEMENTS replacements goes through at once: a codec switch or a reconnect is real, and
   * every second of it is evidence. Stopping is never held.
   */
  minSegmentMs: number;
  /** Called when the session neither records nor follows a room any more. */
  onIdle: () => void;
}

/** A segment that lived at least this long was healthy: a failure after it restarts at once. */
const HEALTHY_MS = 10_000;
const MAX_RETRY_MS = 30_000;

export function segmentName(segment: number): string {
  return `segment-${String(segment).padStart(4, '0')}.mkv`;
}

/** Segment replacements that go through at once before replacements are paced (minSegmentMs). */
export const QUICK_REPLACEMENTS = 2;

/**
 * The recording of one session: whether it is wanted, which producers its room has, and the running
 * segment. Every change (start, stop, producers, a failed ffmpeg) leads to one reconcile step; the
 * steps run one at a time. A segment records a fixed set of producers: when the set changes the
 * segment is ended and a new one started. Nothing in here throws: failures are logged and retried.
 */
export class SessionRecording {
  #room: Room | undefined;
  #detachRoom: (() => void) | undefined;
  #producers = new Map<string, ProducerInfo>();
  #wanted = false;
  #current: { recorder: Recorder; info: RecordingInfo; startedMs: number } | undefined;
  #queue: Promise<void> = Promise.resolve();
  #startActor: string | undefined;
  #stopActor: string | undefined;
  #settleTimer: NodeJS.Timeout | undefined;
  #retryTimer: NodeJS.Timeout | undefined;
  #paceTimer: NodeJS.Timeout | undefined;
  /** When recent segments began (ms), for pacing replacements (SessionRecordingDeps.minSegmentMs). */
  #starts: number[] = [];
  #shortFailures = 0;
  #closed = false;

  constructor(private readonly deps: SessionRecordingDeps) {}

  get sessionId(): string {
    return this.deps.sessionId;
  }

  /** Recording is wanted: running, or armed until a producer appears. */
  get wanted(): boolean {
    return this.#wanted;
  }

  /** A segment failed and the next one waits out its back-off (#retryLater). */
  get backingOff(): boolean {
    return this.#retryTimer !== undefined;
  }

  get idle(): boolean {
    return !this.#wanted && !this.#current && !this.#room;
  }

  attach(room: Room): void {
    if (this.#closed || room.closed) return;
    this.#detachRoom?.();
    this.#room = room;
    this.#producers = new Map(room.producers().map((p) => [p.producerId, p]));
    let workerDied = false;
    const onAdded = (info: ProducerInfo) => {
      this.#producers.set(info.producerId, info);
      this.#settle();
    };
    const onClosed = (producerId: string) => {
      if (this.#producers.delete(producerId)) void this.#run();
    };
    const onWorkerClose = () => {
      workerDied = true;
    };
    const onRoomClosed = () => {
      this.#detachRoom?.();
      this.#room = undefined;
      this.#producers.clear();
      // A room lost with its worker is rebuilt and attached again: keep recording then. Otherwise the
      // session is over and so is its recording.
      if (!workerDied && this.#wanted) {
        this.#wanted = false;
        this.#stopActor = 'system';
      }
      void this.#run();
    };
    room.on('producer-added', onAdded);
    room.on('producer-closed', onClosed);
    room.once('closed', onRoomClosed);
    room.router.once('workerclose', onWorkerClose);
    this.#detachRoom = () => {
      room.off('producer-added', onAdded);
      room.off('producer-closed', onClosed);
      room.off('closed', onRoomClosed);
      room.router.off('workerclose', onWorkerClose);
      this.#detachRoom = undefined;
    };
    if (this.deps.policy === 'always' && !this.#wanted) {
      this.#wanted = true;
      this.#startActor = 'system';
    }
    this.#settle();
  }

  /** Wants recording; resolves once the first segment runs (or is armed, with no producer yet). */
  start(actor: string): Promise<void> {
    this.#wanted = true;
    this.#startActor = actor;
    this.#clearRetry();
    return this.#run();
  }

  /** Resolves once the running segment is finished and indexed. */
  stop(actor: string): Promise<void> {
    this.#wanted = false;
    this.#stopActor = actor;
    this.#clearRetry();
    return this.#run();
  }

  /** Ends everything for good (process shutdown). */
  shutdown(): Promise<void> {
    this.#closed = true;
    if (this.#wanted || this.#current) this.#stopActor ??= 'system';
    this.#wanted = false;
    clearTimeout(this.#settleTimer);
    clearTimeout(this.#paceTimer);
    this.#clearRetry();
    this.#detachRoom?.();
    this.#room = undefined;
    return this.#run();
  }

  #settle(): void {
    clearTimeout(this.#settleTimer);
    this.#settleTimer = setTimeout(() => void this.#run(), this.deps.settleMs);
    this.#settleTimer.unref();
  }

  #clearRetry(): void {
    clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
  }

  /** Queues a reconcile step; the promise never rejects. */
  #run(): Promise<void> {
    return this.#enqueue(() => this.#reconcile());
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(step).catch((err: Error) => {
      this.deps.log.error({ sessionId: this.sessionId, err: err.message, stack: err.stack }, 'recording step failed');
    });
    this.#queue = next.then(() => {
      if (this.idle) this.deps.onIdle();
    });
    return next;
  }

  /** The producers that should be recorded now; empty when recording is not wanted or not possible. */
  #desired(): ProducerInfo[] {
    if (!this.#wanted || this.#closed || !this.#room || this.#room.closed) return [];
    return [...this.#producers.values()];
  }

  /**
   * How long a replacement must wait: none while fewer than 1 + QUICK_REPLACEMENTS segments began in
   * the last (1 + QUICK_REPLACEMENTS) × minSegmentMs, so a burst goes through at once and a sustained
   * flood gets one segment per minSegmentMs.
   */
  #paceWait(): number {
    const window = this.deps.minSegmentMs * (1 + QUICK_REPLACEMENTS);
    const now = Date.now();
    this.#starts = this.#starts.filter((t) => now - t < window);
    return this.#starts.length > QUICK_REPLACEMENTS ? this.#starts[0]! + window - now : 0;
  }

  async #reconcile(): Promise<void> {
    const desired = this.#desired();
    if (this.#current) {
      const recording = new Set(this.#current.recorder.producerIds);
      const same = desired.length === recording.size && desired.every((p) => recording.has(p.producerId));
      const wait = this.#paceWait();
      if (!same && desired.length > 0 && wait > 0) {
        // Too soon to replace: one step when the segment is old enough takes in every change since.
        this.#paceTimer ??= setTimeout(() => {
          this.#paceTimer = undefined;
          void this.#run();
        }, wait).unref();
        return;
      }
      if (!same) await this.#endSegment();
    }
    if (!this.#current && desired.length > 0 && !this.#retryTimer && this.#room) await this.#beginSegment(this.#room, desired);
  }

  async #beginSegment(room: Room, producers: ProducerInfo[]): Promise<void> {
    const { index, log, sessionId } = this.deps;
    // Below the floor the room that is left is the logs': no new segment, tried again with backoff.
    const full = await this.deps.disk?.ensureRoom(0, 'a recording').then(
      () => undefined,
      (err: Error) => err,
    );
    if (full) {
      log.warn({ sessionId, err: full.message }, 'recording segment not started: disk at its floor');
      await this.#event('recording_failed', 'system', { error: 'disk_floor' });
      this.#retryLater(Date.now());
      return;
    }
    const dir = index.dir(sessionId);
    await mkdir(dir, { recursive: true });
    let info: RecordingInfo | undefined;
    await index.update(sessionId, (list) => {
      const segment = list.reduce((max, r) => Math.max(max, r.segment), 0) + 1;
      info = { name: segmentName(segment), segment, startedAt: new Date().toISOString(), codecs: [], status: 'recording' };
      // Nothing records in this process now, so an entry still "recording" was left by a crash.
      return [...list.map((r) => (r.status === 'recording' ? { ...r, status: 'failed' as const } : r)), info];
    });
    if (!info) return;
    const actor = this.#startActor ?? 'system';
    this.#startActor = undefined;
    const startedMs = Date.now();
    let recorder: Recorder;
    try {
      recorder = await Recorder.start({
        router: room.router,
        producers,
        file: path.join(dir, info.name),
        sdpFile: path.join(dir, `.${info.name}.sdp`),
        ports: this.deps.ports,
        ffmpegBin: this.deps.ffmpegBin,
        env: this.deps.childEnv,
        log,
        receiveBufferBytes: this.deps.receiveBufferBytes,
        noKeyFrameMs: this.deps.noKeyFrameMs,
      });
    } catch (err) {
      const message = (err as Error).message;
      log.warn({ sessionId, name: info.name, err: message }, 'recording segment could not start');
      const failed: RecordingInfo = { ...info, status: 'failed', endedAt: new Date().toISOString() };
      await index.put(sessionId, failed);
      await this.#event('recording_failed', 'system', { name: info.name, segment: info.segment, error: message.slice(0, 500) });
      this.#retryLater(startedMs);
      return;
    }
    const current = { recorder, info: { ...info, codecs: recorder.codecs }, startedMs };
    this.#starts.push(startedMs);
    this.#current = current;
    recorder.on('failed', (exit) => void this.#enqueue(() => this.#onFailed(current, exit)));
    // Recording starts, for the log and the caller's "● REC", when media is on disk (issue #14): a
    // segment that never gets a key frame fails instead (Recorder's noKeyFrameMs).
    recorder.once('writing', (keyFrameMs) => {
      log.info({ sessionId, name: current.info.name, keyFrameMs }, 'recording segment writing');
      void this.#enqueue(async () => {
        const { name, segment, codecs } = current.info;
        if (this.#current === current) await this.#event('recording_started', actor, { name, segment, codecs, keyFrameMs });
      });
    });
    recorder.on('producer-closed', (producerId) => {
      if (this.#producers.delete(producerId)) void this.#run();
    });
    log.info({ sessionId, name: info.name, pid: recorder.pid, producers: recorder.producerIds }, 'recording segment started');
    await index.put(sessionId, current.info);
  }

  async #endSegment(): Promise<void> {
    const current = this.#current;
    if (!current) return;
    const actor = this.#stopActor ?? 'system';
    this.#stopActor = undefined;
    const exit = await current.recorder.stop();
    this.#current = undefined;
    const info = await this.#finalize(current.info, 'finished');
    if (info.status === 'finished') {
      if (Date.now() - current.startedMs >= HEALTHY_MS) this.#shortFailures = 0;
      await this.#event('recording_ended', actor, {
        name: info.name,
        segment: info.segment,
        durationSec: info.durationSec,
        bytes: info.bytes,
        codecs: info.codecs,
      });
    } else {
      await this.#event('recording_failed', 'system', { name: info.name, segment: info.segment, reason: 'no playable media', exitCode: exit.code });
    }
  }

  /** ffmpeg died on its own: keep what it wrote, log it, and record on in a new segment. */
  async #onFailed(current: { recorder: Recorder; info: RecordingInfo; startedMs: number }, exit: RecorderExit): Promise<void> {
    if (this.#current !== current) return;
    this.#current = undefined;
    this.deps.log.warn({ sessionId: this.sessionId, name: current.info.name, exitCode: exit.code, signal: exit.signal }, 'recording segment failed');
    const info = await this.#finalize(current.info, 'failed');
    await this.#event('recording_failed', 'system', {
      name: info.name,
      segment: info.segment,
      exitCode: exit.code,
      ...(exit.signal && { signal: exit.signal }),
      ...(exit.reason && { reason: exit.reason }),
      ...(info.durationSec !== undefined && { durationSec: info.durationSec }),
    });
    this.#retryLater(current.startedMs);
  }

  /**
   * Probes the file and writes its final index entry. A file without duration (ffmpeg killed before
   * its trailer) is remuxed first. `finished` stays only if the file is playable.
   */
  async #finalize(info: RecordingInfo, status: 'finished' | 'failed'): Promise<RecordingInfo> {
    const file = path.join(this.deps.index.dir(this.sessionId), info.name);
    let probe = await this.#probe(file);
    if (probe && probe.bytes > 0 && probe.durationSec === undefined) {
      try {
        await remuxInPlace(file, this.deps.ffmpegBin, this.deps.childEnv);
        probe = await this.#probe(file);
      } catch (err) {
        this.deps.log.warn({ sessionId: this.sessionId, name: info.name, err: (err as Error).message }, 'recording repair failed');
      }
    }
    const playable = probe?.durationSec !== undefined && probe.codecs.length > 0;
    const final: RecordingInfo = {
      ...info,
      endedAt: new Date().toISOString(),
      status: status === 'finished' && playable ? 'finished' : 'failed',
      codecs: probe?.codecs.length ? probe.codecs : info.codecs,
      ...(probe && { bytes: probe.bytes }),
      ...(probe?.durationSec !== undefined && { durationSec: probe.durationSec }),
    };
    await this.deps.index.put(this.sessionId, final);
    this.deps.log.info({ sessionId: this.sessionId, ...final }, 'recording segment ended');
    return final;
  }

  async #probe(file: string): Promise<MediaProbe | undefined> {
    try {
      return await probeMedia(file, this.deps.ffprobeBin, this.deps.childEnv);
    } catch (err) {
      const size = await stat(file)
        .then((s) => s.size)
        .catch(() => undefined);
      this.deps.log.debug({ file, err: (err as Error).message }, 'probe failed');
      return size === undefined ? undefined : { bytes: size, codecs: [] };
    }
  }

  /** Starts a new segment after a failure: at once after a healthy one, else backing off up to 30 s. */
  #retryLater(startedMs: number): void {
    if (!this.#wanted || this.#closed) return;
    if (Date.now() - startedMs >= HEALTHY_MS) this.#shortFailures = 0;
    const delay = this.#shortFailures === 0 ? 0 : Math.min(MAX_RETRY_MS, 1000 * 2 ** (this.#shortFailures - 1));
    this.#shortFailures++;
    this.#clearRetry();
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      void this.#run();
    }, delay);
    this.#retryTimer.unref();
  }

  /** A failure says whether recording is still wanted (`wanted`: a new segment is on its way), so a console keeps its Stop. */
  async #event(type: RecordingEventType, actor: string, details: Record<string, unknown>): Promise<void> {
    try {
      await this.deps.sink.record(this.sessionId, type, actor, type === 'recording_failed' ? { ...details, wanted: this.#wanted } : details);
    } catch (err) {
      this.deps.log.warn({ sessionId: this.sessionId, type, err: (err as Error).message }, 'cannot log recording event');
    }
  }
}
