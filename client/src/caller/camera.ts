/** Why the camera could not be had: the page shows different help for each. */
export type CameraFailure = 'denied' | 'unsupported' | 'failed';
export type Facing = 'environment' | 'user';

export class CameraError extends Error {
  constructor(
    readonly reason: CameraFailure,
    message: string,
  ) {
    super(message);
    this.name = 'CameraError';
  }
}

/** A camera at up to 720p30, the back one by default. In-app browsers often lack getUserMedia altogether. */
export async function openCamera(facing: Facing = 'environment'): Promise<MediaStreamTrack> {
  if (!navigator.mediaDevices?.getUserMedia) throw new CameraError('unsupported', 'getUserMedia is not available');
  try {
    const stream = await navigator.mediaDevices.getUserMedia({
      audio: false,
      video: {
        facingMode: { ideal: facing },
        width: { ideal: 1280 },
        height: { ideal: 720 },
        frameRate: { ideal: 30, max: 30 },
      },
    });
    const track = stream.getVideoTracks()[0];
    if (!track) throw new CameraError('failed', 'no video track');
    return track;
  } catch (err) {
    if (err instanceof CameraError) throw err;
    const name = (err as DOMException).name;
    if (name === 'NotAllowedError' || name === 'SecurityError') throw new CameraError('denied', name);
    throw new CameraError('failed', name || String(err));
  }
}
