import { readFile } from 'node:fs/promises';

/**
 * The receive buffer the recorder asks the kernel for on each of its ffmpeg's RTP sockets (ffmpeg's
 * `-buffer_size`, i.e. SO_RCVBUF; Linux doubles the figure for its own bookkeeping), in bytes.
 *
 * Why it matters: ffmpeg 5.1 (Debian 12) reads RTP in the same thread that writes the file, so while
 * it stalls (a slow or network volume, a starved CPU) the packets wait in this buffer, and what does
 * not fit is dropped by the kernel: a hole in the evidence. On loopback every 1200-byte packet is
 * charged about 2.1 times its size, so the caller's 1.5 Mbit/s (client/src/caller/Publisher.ts,
 * maxBitrate) fills about 400 KiB of buffer a second (`npm run bench:recording`, docs/benchmarks.md).
 * ffmpeg's own ask (384 KiB) rides out about a 1.9 s stall, about 1 s where a default
 * net.core.rmem_max (208 KiB) caps it; this one about 10 s. It costs memory only while ffmpeg lags.
 */
export const RECORDER_RECEIVE_BUFFER_BYTES = 2 * 1024 * 1024;

/** What the kernel charges a second of the caller's 1.5 Mbit/s video on loopback (measured, see above). */
const QUEUED_BYTES_PER_SEC = 410_000;

const RMEM_MAX = '/proc/sys/net/core/rmem_max';

/**
 * net.core.rmem_max: the most SO_RCVBUF a process may ask for (root included, as ffmpeg asks without
 * SO_RCVBUFFORCE). Undefined where it cannot be read (not Linux).
 */
export async function receiveBufferLimit(file = RMEM_MAX): Promise<number | undefined> {
  const value = Number.parseInt(await readFile(file, 'utf8').catch(() => ''), 10);
  return Number.isFinite(value) && value > 0 ? value : undefined;
}

/** A host limit below the recorder's ask, and what it means; undefined when the ask is granted. */
export interface ReceiveBufferShortfall {
  askedBytes: number;
  rmemMax: number;
  /** About how long ffmpeg may stall at 1.5 Mbit/s before the kernel drops video, with the capped buffer. */
  rideOutSec: number;
  /** About the same with the buffer asked for. */
  wantedRideOutSec: number;
}

export function receiveBufferShortfall(askedBytes: number, rmemMax: number | undefined): ReceiveBufferShortfall | undefined {
  if (rmemMax === undefined || rmemMax >= askedBytes) return undefined;
  const seconds = (bytes: number) => Math.round(((2 * bytes) / QUEUED_BYTES_PER_SEC) * 10) / 10;
  return { askedBytes, rmemMax, rideOutSec: seconds(rmemMax), wantedRideOutSec: seconds(askedBytes) };
}
