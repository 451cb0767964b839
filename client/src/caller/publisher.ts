import type { types } from 'mediasoup-client';
import type { Device } from '../common/device.js';
import { request, type SignallingSocket } from '../common/signalling.js';

/**
 * Publishes the caller's camera into the session: one send transport, one video producer.
 * H264 first (hardware encoders on iPhones), VP8 where the browser cannot send H264.
 */
export async function publishCamera(
  socket: SignallingSocket,
  device: Device,
  sessionId: string,
  track: MediaStreamTrack,
  onConnectionState: (state: types.ConnectionState) => void,
): Promise<types.Producer> {
  const options = await request(socket, 'transport:create', { sessionId, direction: 'send' });
  const transport = device.createSendTransport(options as types.TransportOptions);
  transport.on('connect', ({ dtlsParameters }, callback, errback) => {
    request(socket, 'transport:connect', { sessionId, transportId: transport.id, dtlsParameters })
      .then(() => callback())
      .catch(errback);
  });
  transport.on('connectionstatechange', onConnectionState);
  transport.on('produce', ({ kind, rtpParameters }, callback, errback) => {
    request(socket, 'media:produce', { sessionId, transportId: transport.id, kind, rtpParameters: rtpParameters as never, source: 'camera' })
      .then(({ producerId }) => callback({ id: producerId }))
      .catch(errback);
  });
  return transport.produce({
    track,
    codec: preferredVideoCodec(device),
    encodings: [{ maxBitrate: 1_500_000, maxFramerate: 30 }],
    // Start near the target instead of ramping up from a few hundred kbit/s.
    codecOptions: { videoGoogleStartBitrate: 1000 },
    stopTracks: false,
  });
}

function preferredVideoCodec(device: Device): types.RtpCodecCapability | undefined {
  const video = (device.rtpCapabilities.codecs ?? []).filter((c) => c.kind === 'video');
  return video.find((c) => c.mimeType.toLowerCase() === 'video/h264') ?? video.find((c) => c.mimeType.toLowerCase() === 'video/vp8');
}
