import type { ConsumerOptions, ProducerInfo, ShowMe, ShowMeEndReason, ShowMeSource, TransportOptions } from '@sightline/shared';
import { UnavailableError, ValidationError } from '../errors.js';
import type { RecordingService } from '../recording/RecordingService.js';
import type { RoomRegistry } from '../sfu/RoomRegistry.js';

/** `stopped`: the caller stopped the video for good (`caller:stop-video`); once set it stays. */
export type CallerMediaState = { paused: boolean; facing: 'user' | 'environment' | 'unknown'; stopped?: boolean };

/** What a joining peer's browser can do: a caller's send capabilities, a receiver's receive ones. */
export type DeclaredCapabilities = { as: 'caller' | 'staff' | 'viewer'; rtpCapabilities: unknown };

/**
 * Everything signalling and REST ask of a session's media, in a form that can cross between nodes:
 * plain JSON arguments and results. The node that owns the session's router runs them; any other
 * node forwards them there (`ClusterMedia`).
 */
export interface MediaOps {
  /** `videoCodecs`: what the caller is asked to send (RoomCodecs), after taking `declared` into account. */
  join(
    sessionId: string,
    peerId?: string,
    declared?: DeclaredCapabilities,
  ): Promise<{ rtpCapabilities: unknown; producers: ProducerInfo[]; videoCodecs: string[]; showMe?: ShowMe }>;
  /**
   * `pretap`: a caller page's send transport before the tap (Room.createTransport: one per session at a time).
   * `maxOutgoingBitrate` (bit/s): a cap on what a receive transport sends (the caller's: issue #15 §1).
   */
  createTransport(sessionId: string, peerId: string, direction: 'send' | 'recv', pretap?: boolean, maxOutgoingBitrate?: number): Promise<TransportOptions>;
  connectTransport(sessionId: string, peerId: string, transportId: string, dtlsParameters: unknown): Promise<void>;
  restartIce(sessionId: string, peerId: string, transportId: string): Promise<unknown>;
  closeTransport(sessionId: string, peerId: string, transportId: string): Promise<void>;
  /**
   * The newest producer of a source replaces the old one (a caller that reloaded, changed network or
   * switched codec). The old one closes after the new one is announced, so receivers never see the
   * room without one.
   */
  produce(
    sessionId: string,
    peerId: string,
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: unknown,
    source: ProducerInfo['source'],
    shows?: ShowMeSource,
  ): Promise<string>;
  /** `showMeOnly`: the caller's page, which may receive the dispatcher's picture and nothing else (Room.consume). */
  consume(sessionId: string, peerId: string, transportId: string, producerId: string, rtpCapabilities: unknown, showMeOnly?: boolean): Promise<ConsumerOptions>;
  /** The dispatcher's picture for the caller (issue #15 §1) now, if any. */
  showMe(sessionId: string): Promise<ShowMe | undefined>;
  /** Ends the showing, saying why (Room.closeShowMe). */
  stopShowMe(sessionId: string, reason: ShowMeEndReason): Promise<void>;
  resume(sessionId: string, peerId: string, consumerId: string): Promise<void>;
  /** Asks the source of one of the peer's consumers for a key frame; false when throttled (Room.requestKeyFrame). */
  keyFrame(sessionId: string, peerId: string, consumerId: string): Promise<boolean>;
  /** Stores the caller's reported pause/facing state and returns the one before. */
  setCallerMedia(sessionId: string, state: CallerMediaState): Promise<CallerMediaState>;
  closePeer(sessionId: string, peerId: string): Promise<void>;
  /** Starts or stops recording; returns whether the session records afterwards. */
  recording(sessionId: string, action: 'start' | 'stop', actor: string): Promise<boolean>;
  isRecording(sessionId: string): Promise<boolean>;
}

export const MEDIA_OPS = [
  'join',
  'createTransport',
  'connectTransport',
  'restartIce',
  'closeTransport',
  'produce',
  'consume',
  'showMe',
  'stopShowMe',
  'resume',
  'keyFrame',
  'setCallerMedia',
  'closePeer',
  'recording',
  'isRecording',
] as const satisfies readonly (keyof MediaOps)[];

export type MediaOpName = (typeof MEDIA_OPS)[number];

/** The media of sessions whose router lives in this process. */
export class LocalMedia implements MediaOps {
  constructor(
    private readonly rooms: RoomRegistry,
    private readonly recordings: RecordingService,
  ) {}

  async join(sessionId: string, peerId?: string, declared?: DeclaredCapabilities) {
    const room = await this.rooms.get(sessionId);
    if (peerId && declared?.as === 'caller') room.codecs.callerCapabilities(declared.rtpCapabilities);
    else if (peerId && declared) room.codecs.receiver(peerId, declared.rtpCapabilities, declared.as === 'staff');
    const showMe = room.showMe();
    return { rtpCapabilities: room.rtpCapabilities, producers: room.producers(), videoCodecs: room.codecs.wanted, ...(showMe && { showMe }) };
  }

  async createTransport(sessionId: string, peerId: string, direction: 'send' | 'recv', pretap = false, maxOutgoingBitrate?: number) {
    return (await this.rooms.get(sessionId)).createTransport(peerId, direction, pretap, maxOutgoingBitrate);
  }

  async connectTransport(sessionId: string, peerId: string, transportId: string, dtlsParameters: unknown) {
    await (await this.rooms.get(sessionId)).connectTransport(peerId, transportId, dtlsParameters);
  }

  async restartIce(sessionId: string, peerId: string, transportId: string) {
    return (await this.rooms.get(sessionId)).restartIce(peerId, transportId);
  }

  async closeTransport(sessionId: string, peerId: string, transportId: string) {
    (await this.rooms.get(sessionId)).closeTransport(peerId, transportId);
  }

  async produce(
    sessionId: string,
    peerId: string,
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: unknown,
    source: ProducerInfo['source'],
    shows?: ShowMeSource,
  ) {
    const room = await this.rooms.get(sessionId);
    const producerId = await room.produce(peerId, transportId, kind, rtpParameters, source, shows);
    room.closeProducers(source, producerId);
    return producerId;
  }

  async consume(sessionId: string, peerId: string, transportId: string, producerId: string, rtpCapabilities: unknown, showMeOnly = false) {
    return (await this.rooms.get(sessionId)).consume(peerId, transportId, producerId, rtpCapabilities, showMeOnly);
  }

  async showMe(sessionId: string) {
    return this.rooms.peek(sessionId)?.showMe();
  }

  async stopShowMe(sessionId: string, reason: ShowMeEndReason) {
    this.rooms.peek(sessionId)?.closeShowMe(reason);
  }

  async resume(sessionId: string, peerId: string, consumerId: string) {
    await (await this.rooms.get(sessionId)).resume(peerId, consumerId);
  }

  async keyFrame(sessionId: string, peerId: string, consumerId: string) {
    return (await this.rooms.get(sessionId)).requestKeyFrame(peerId, consumerId);
  }

  async setCallerMedia(sessionId: string, state: CallerMediaState) {
    const room = await this.rooms.get(sessionId);
    const before = room.callerMedia;
    room.callerMedia = { ...state, ...((before.stopped || state.stopped) && { stopped: true }) };
    return before;
  }

  async closePeer(sessionId: string, peerId: string) {
    this.rooms.peek(sessionId)?.closePeer(peerId);
  }

  async recording(sessionId: string, action: 'start' | 'stop', actor: string) {
    if (action === 'start') await this.recordings.start(sessionId, actor);
    else await this.recordings.stop(sessionId, actor);
    return this.recordings.isRecording(sessionId);
  }

  async isRecording(sessionId: string) {
    return this.recordings.isRecording(sessionId);
  }
}

/**
 * Answers operations forwarded from other nodes (NodeBus) with this node's media. `owns` fences
 * them: an operation for a session the store no longer gives to this node (taken over while this
 * node was cut off, or asked by a node with a stale record) is refused with a 503, never run here,
 * so a session's media cannot come to life on two nodes; the asking node's client retries and
 * finds the owner.
 */
export function serveMediaOps(
  local: MediaOps,
  owns: (sessionId: string) => Promise<boolean> = async () => true,
): (op: string, args: unknown[]) => Promise<unknown> {
  return async (op, args) => {
    if (!(MEDIA_OPS as readonly string[]).includes(op)) throw new ValidationError(`unknown media operation ${op}`);
    const sessionId = args[0];
    if (typeof sessionId !== 'string') throw new ValidationError('a media operation names its session first');
    if (!(await owns(sessionId))) throw new UnavailableError(`session ${sessionId} is not carried by this node`);
    return (local[op as MediaOpName] as (...a: unknown[]) => Promise<unknown>)(...args);
  };
}
