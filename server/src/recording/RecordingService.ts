import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ConflictError, NotFoundError } from '../errors.js';
import type { Logger } from '../logging.js';
import { DEFAULT_CHILD_PATH } from '../security/childEnv.js';
import type { Room } from '../sfu/Room.js';
import { TEMPLATE_ROOM, type RoomRegistry } from '../sfu/RoomRegistry.js';
import type { DiskSpace } from '../storage/DiskSpace.js';
import { SessionFolder } from '../storage/SessionFolder.js';
import { PortAllocator } from './PortAllocator.js';
import { RECORDER_RECEIVE_BUFFER_BYTES, receiveBufferLimit, receiveBufferShortfall } from './receiveBuffer.js';
import { RecordingIndex } from './RecordingIndex.js';
import { SessionRecording } from './SessionRecording.js';
import type { RecordingEventSink, RecordingInfo, RecordingPolicy } from './types.js';

export interface RecordingServiceOptions {
  /** `$DATA_DIR`: recordings go to `<dataDir>/sessions/<id>/recordings/`. */
  dataDir: string;
  policy: RecordingPolicy;
  ffmpegBin?: string;
  ffprobeBin?: string;
  /** The environment ffmpeg and ffprobe run with (config.childEnv). Default: a PATH and nothing else. */
  childEnv?: Record<string, string>;
  /** UDP ports ffmpeg listens on (two per recorded stream). Default [50000, 50999]. */
  portRange?: readonly [number, number];
  /** How long to wait for a reconnecting caller's producers to settle before a new segment. Default 300 ms. */
  settleMs?: number;
  /** Least time a segment runs before changed producers replace it (not before a stop). Default 5 s. */
  minSegmentMs?: number;
  /** The data directory's free-space floor: a recording is not started below it (507). */
  disk?: DiskSpace;
  /** SO_RCVBUF asked for ffmpeg's RTP sockets, bytes. Default RECORDER_RECEIVE_BUFFER_BYTES (receiveBuffer.ts). */
  receiveBufferBytes?: number;
  /** Where the host's net.core.rmem_max is read (tests). Default /proc/sys/net/core/rmem_max. */
  rmemMaxFile?: string;
  /** How long a segment may wait for its first key frame before it has failed (RecorderOptions.noKeyFrameMs). */
  noKeyFrameMs?: number;
}

const NAME = /^segment-\d{4,}\.mkv$/;

/**
 * Session recordings (PRODUCT.md, "Recording and retention"): each room's producers are copied by
 * ffmpeg into Matroska segments, without transcoding. Policy `always` records every room from its
 * first producer; `on-demand` records between start() and stop(); `off` never records. Recording
 * never affects the session's media: a failing ffmpeg is logged and replaced by a new segment.
 */
export class RecordingService {
  readonly #index: RecordingIndex;
  readonly #ports: PortAllocator;
  #sessions = new Map<string, SessionRecording>();
  #closed = false;

  constructor(
    private readonly opts: RecordingServiceOptions,
    private readonly events: RecordingEventSink,
    private readonly log: Logger,
  ) {
    this.#index = new RecordingIndex(opts.dataDir);
    this.#ports = new PortAllocator(opts.portRange ?? [50000, 50999]);
    if (opts.policy !== 'off') void this.#checkReceiveBuffer();
  }

  /**
   * Warns once at start when the host caps ffmpeg's receive buffer below what the recorder asks:
   * recordings then lose video whenever ffmpeg stalls for longer than the capped buffer holds.
   * The fix is the host's, not ours (a sysctl; see README, "Recording").
   */
  async #checkReceiveBuffer(): Promise<void> {
    const asked = this.opts.receiveBufferBytes ?? RECORDER_RECEIVE_BUFFER_BYTES;
    const short = receiveBufferShortfall(asked, await receiveBufferLimit(this.opts.rmemMaxFile));
    if (!short) return;
    this.log.warn(
      short,
      `net.core.rmem_max (${short.rmemMax}) caps the recorder's UDP receive buffer below the ${asked} bytes it asks for: ` +
        `a recording loses video when ffmpeg stalls for more than about ${short.rideOutSec} s (${short.wantedRideOutSec} s with the full buffer). ` +
        `Set net.core.rmem_max=${asked} (or more) on the host`,
    );
  }

  get policy(): RecordingPolicy {
    return this.opts.policy;
  }

  /** Follows every session's room the registry creates from now on (not the capabilities template: no session's). */
  follow(rooms: Pick<RoomRegistry, 'observer'>): void {
    rooms.observer.on('room-created', (room) => {
      if (room.sessionId !== TEMPLATE_ROOM) this.attach(room);
    });
  }

  /** Follows a room's producers (call once per room; `follow` does it for a registry's rooms). Never throws. */
  attach(room: Room): void {
    if (this.#closed || this.opts.policy === 'off') return;
    try {
      this.#session(room.sessionId).attach(room);
    } catch (err) {
      this.log.error({ sessionId: room.sessionId, err: (err as Error).message }, 'cannot follow room for recording');
    }
  }

  /**
   * Starts an on-demand recording. With no producer yet it is armed and starts with the first one.
   * A recording that is wanted but backing off after a failed segment is tried again at once: the
   * console's "retry" after a failure (issue #14).
   * ConflictError when the policy is `off`, or recording is wanted and not backing off.
   */
  async start(sessionId: string, actor: string): Promise<void> {
    if (this.#closed) throw new ConflictError('recording is shutting down');
    if (this.opts.policy === 'off') throw new ConflictError('recording is off in this deployment');
    this.#index.dir(sessionId); // validates the id
    const busy = (s: SessionRecording | undefined) => s?.wanted === true && !s.backingOff;
    if (busy(this.#sessions.get(sessionId))) throw new ConflictError('already recording');
    await this.opts.disk?.ensureRoom(0, 'a recording');
    const session = this.#session(sessionId);
    if (busy(session)) throw new ConflictError('already recording');
    await session.start(actor);
  }

  /** Stops the session's recording; resolves once its last segment is finished and indexed. */
  async stop(sessionId: string, actor: string): Promise<void> {
    if (this.opts.policy === 'always') throw new ConflictError('recording is always on in this deployment');
    const session = this.#sessions.get(sessionId);
    if (!session?.wanted) throw new ConflictError('not recording');
    await session.stop(actor);
  }

  /** True while recording is wanted for the session: a segment runs, or it is armed. */
  isRecording(sessionId: string): boolean {
    return this.#sessions.get(sessionId)?.wanted ?? false;
  }

  /** The session's segments, oldest first. */
  list(sessionId: string): Promise<RecordingInfo[]> {
    return this.#index.read(sessionId);
  }

  /** Absolute path of a recorded segment; NotFoundError for a name that is not one of the session's. */
  async filePath(sessionId: string, name: string): Promise<string> {
    if (!NAME.test(name)) throw new NotFoundError('recording');
    const file = path.join(this.#index.dir(sessionId), name);
    const known = (await this.#index.read(sessionId)).some((r) => r.name === name);
    if (
      !known ||
      !(await stat(file)
        .then((s) => s.isFile())
        .catch(() => false))
    )
      throw new NotFoundError('recording');
    return file;
  }

  /**
   * Whether the session's recordings folder holds any file: an indexed segment, or one still being
   * written (the index and hidden files do not count). For the search's "has a recording" filter.
   */
  async hasFiles(sessionId: string): Promise<boolean> {
    return (await new SessionFolder(this.opts.dataDir, sessionId).mediaFiles()).some((f) => f.rel.startsWith('recordings/'));
  }

  /** RTP ports of the ffmpeg port pairs in use (empty when nothing records). */
  portsInUse(): number[] {
    return this.#ports.inUse();
  }

  /** Shutdown: finishes every running segment and refuses new recordings. */
  async stopAll(): Promise<void> {
    this.#closed = true;
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    await Promise.all(sessions.map((s) => s.shutdown()));
  }

  #session(sessionId: string): SessionRecording {
    let session = this.#sessions.get(sessionId);
    if (!session) {
      const created: SessionRecording = new SessionRecording({
        sessionId,
        policy: this.opts.policy,
        index: this.#index,
        sink: this.events,
        ports: this.#ports,
        ffmpegBin: this.opts.ffmpegBin ?? 'ffmpeg',
        ffprobeBin: this.opts.ffprobeBin ?? 'ffprobe',
        childEnv: this.opts.childEnv ?? { PATH: DEFAULT_CHILD_PATH },
        disk: this.opts.disk,
        receiveBufferBytes: this.opts.receiveBufferBytes,
        noKeyFrameMs: this.opts.noKeyFrameMs,
        log: this.log,
        settleMs: this.opts.settleMs ?? 300,
        minSegmentMs: this.opts.minSegmentMs ?? 5_000,
        onIdle: () => {
          if (this.#sessions.get(sessionId) === created) this.#sessions.delete(sessionId);
        },
      });
      session = created;
      this.#sessions.set(sessionId, session);
    }
    return session;
  }
}
