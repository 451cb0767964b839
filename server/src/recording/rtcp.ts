/**
 * An RTCP BYE with a short reason. ffmpeg ends its SDP input when every stream got a BYE; it ignores
 * packets shorter than 12 bytes, hence the reason field.
 */
export function rtcpBye(ssrc: number): Buffer {
  const reason = Buffer.from('stop');
  const b = Buffer.alloc(16);
  b[0] = 0x81; // version 2, one SSRC
  b[1] = 203; // BYE
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(ssrc >>> 0, 4);
  b[8] = reason.length;
  reason.copy(b, 9);
  return b;
}
