import type { types } from 'mediasoup';
import { defineRoute } from '../http/route.js';

/**
 * GET /api/rtp-capabilities: the routers' RTP capabilities, the same for every router (same codec
 * list), so the caller page can load its device before the tap. `rtpCapabilities`: the template
 * room's (RoomRegistry.template).
 */
export function sfuRoutes(rtpCapabilities: types.RtpCapabilities) {
  return [
    defineRoute('GET /api/rtp-capabilities', {
      access: 'public',
      async handle({ res }) {
        res.set('Cache-Control', 'public, max-age=300');
        return rtpCapabilities;
      },
    }),
  ];
}
