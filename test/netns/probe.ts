import type { CDPSession, Page } from 'puppeteer-core';

/**
 * Eyes on the caller's phone for the network-fault tests, without any hook in the product: every
 * RTCPeerConnection the page makes (mediasoup-client's send transport is one), and every socket.io
 * message the page sends or gets (read from the DevTools protocol), so a test can tell which
 * recovery path ran: an ICE restart keeps its peer connection and gets new ICE credentials; a
 * re-publish makes a new one.
 */

/** Call before the page loads the caller app (before `callerStartsVideo`). */
export async function watchPeerConnections(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const Native = window.RTCPeerConnection;
    const made: RTCPeerConnection[] = [];
    (window as unknown as { __netnsPcs: RTCPeerConnection[] }).__netnsPcs = made;
    window.RTCPeerConnection = class extends Native {
      constructor(config?: RTCConfiguration) {
        super(config);
        made.push(this);
      }
    };
  });
}

export interface CallerIce {
  /** Peer connections the page has made so far (a re-publish makes one more). */
  made: number;
  connectionState: string;
  /** `a=ice-ufrag` of the newest connection's local description (an ICE restart changes it). */
  ufrag: string;
  /** Local port of the selected candidate pair, and of every local UDP candidate gathered. */
  selectedPort: number | undefined;
  localPorts: number[];
  video: { codec: string; framesSent: number; packetsSent: number; nackCount: number; retransmittedPacketsSent: number; remotePacketsLost: number };
}

/** The newest peer connection of the page, as the ICE layer and the sender's statistics see it. */
export async function callerIce(page: Page): Promise<CallerIce> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __netnsPcs?: RTCPeerConnection[] }).__netnsPcs ?? [];
    const pc = pcs[pcs.length - 1];
    const video = { codec: '', framesSent: 0, packetsSent: 0, nackCount: 0, retransmittedPacketsSent: 0, remotePacketsLost: 0 };
    if (!pc) return { made: 0, connectionState: 'none', ufrag: '', selectedPort: undefined, localPorts: [], video };
    const ufrag = /a=ice-ufrag:(\S+)/.exec(pc.localDescription?.sdp ?? '')?.[1] ?? '';
    const stats = new Map<string, Record<string, unknown>>();
    (await pc.getStats()).forEach((s: Record<string, unknown>) => stats.set(String(s['id']), s));
    const all = [...stats.values()];
    const transport = all.find((s) => s['type'] === 'transport');
    const pair = stats.get(String(transport?.['selectedCandidatePairId']));
    const selectedPort = pair ? Number(stats.get(String(pair['localCandidateId']))?.['port']) : undefined;
    const localPorts = all.filter((s) => s['type'] === 'local-candidate' && s['protocol'] === 'udp').map((s) => Number(s['port']));
    for (const s of all) {
      if (s['kind'] !== 'video') continue;
      if (s['type'] === 'outbound-rtp') {
        video.codec = String(stats.get(String(s['codecId']))?.['mimeType'] ?? '');
        video.framesSent += Number(s['framesSent'] ?? 0);
        video.packetsSent += Number(s['packetsSent'] ?? 0);
        video.nackCount += Number(s['nackCount'] ?? 0);
        video.retransmittedPacketsSent += Number(s['retransmittedPacketsSent'] ?? 0);
      }
      if (s['type'] === 'remote-inbound-rtp') video.remotePacketsLost += Number(s['packetsLost'] ?? 0);
    }
    return { made: pcs.length, connectionState: pc.connectionState, ufrag, selectedPort, localPorts, video };
  });
}

export interface SignallingMessage {
  at: number;
  direction: 'sent' | 'received';
  /** Event name of a message, or `ack` for the answer to a request. */
  name: string;
  /** socket.io's acknowledgement id, pairing a request with its answer. */
  ackId: number | undefined;
  args: unknown[];
}

/** Records the page's socket.io traffic from now on (open it before the page connects). */
export async function recordSignalling(
  page: Page,
): Promise<{ messages: SignallingMessage[]; answerTo(name: string, since?: number): SignallingMessage[]; stop(): Promise<void> }> {
  const cdp: CDPSession = await page.createCDPSession();
  const messages: SignallingMessage[] = [];
  const onFrame = (direction: SignallingMessage['direction']) => (e: { response: { opcode: number; payloadData: string } }) => {
    const m = parseSocketIo(e.response.payloadData);
    if (e.response.opcode === 1 && m) messages.push({ at: Date.now(), direction, ...m });
  };
  cdp.on('Network.webSocketFrameSent', onFrame('sent'));
  cdp.on('Network.webSocketFrameReceived', onFrame('received'));
  await cdp.send('Network.enable');
  return {
    messages,
    /** The server's answers to the `name` requests the page sent since `since` (ms epoch). */
    answerTo(name, since = 0) {
      const ids = new Set(messages.filter((m) => m.at >= since && m.direction === 'sent' && m.name === name).map((m) => m.ackId));
      return messages.filter((m) => m.direction === 'received' && m.name === 'ack' && ids.has(m.ackId));
    },
    stop: () => cdp.detach().catch(() => undefined),
  };
}

/** An engine.io text frame carrying a socket.io EVENT (`42`) or ACK (`43`), optionally with a namespace. */
export function parseSocketIo(frame: string): Omit<SignallingMessage, 'at' | 'direction'> | undefined {
  const m = /^4([23])(?:\/[^,]*,)?(\d*)(\[.*)$/s.exec(frame);
  if (!m) return undefined;
  let args: unknown[];
  try {
    args = JSON.parse(m[3]!) as unknown[];
  } catch {
    return undefined;
  }
  const ackId = m[2] ? Number(m[2]) : undefined;
  if (m[1] === '3') return { name: 'ack', ackId, args };
  return { name: String(args[0]), ackId, args: args.slice(1) };
}
