import type { Page } from 'puppeteer-core';

/**
 * A hook on the page's cameras, installed before its scripts run: every track that
 * `getUserMedia` hands out is kept (so a test can tell whether all of them were stopped), and a
 * test can make the next camera opening fail with a named error, as a phone's busy or missing
 * camera does (`NotReadableError`, `OverconstrainedError`). A test can also pretend the camera has
 * a torch whose switching fails.
 */
export async function installCameraProbe(page: Page): Promise<void> {
  await page.evaluateOnNewDocument(() => {
    const w = window as unknown as CameraProbeWindow;
    w.__cameraTracks = [];
    w.__cameraFailures = [];
    w.__cameraCalls = 0;
    const media = navigator.mediaDevices;
    if (!media?.getUserMedia) return;
    const original = media.getUserMedia.bind(media);
    media.getUserMedia = async (constraints?: MediaStreamConstraints) => {
      w.__cameraCalls++;
      const failure = w.__cameraFailures.shift();
      if (failure) throw new DOMException(`fake camera: ${failure}`, failure);
      const stream = await original(constraints);
      for (const track of stream.getVideoTracks()) {
        w.__cameraTracks.push(track);
        if (w.__torchFails) fakeFailingTorch(track, w.__torchFails);
      }
      return stream;
    };
    function fakeFailingTorch(track: MediaStreamTrack, name: string): void {
      const caps = track.getCapabilities.bind(track);
      track.getCapabilities = () => ({ ...caps(), torch: true }) as MediaTrackCapabilities;
      const apply = track.applyConstraints.bind(track);
      track.applyConstraints = async (c?: MediaTrackConstraints) => {
        if (c?.advanced?.some((s) => 'torch' in s)) throw new DOMException(`fake torch: ${name}`, name);
        return apply(c);
      };
    }
  });
}

interface CameraProbeWindow {
  __cameraTracks: MediaStreamTrack[];
  /** DOMException names: each makes one coming `getUserMedia` call reject, in order. */
  __cameraFailures: string[];
  __cameraCalls: number;
  /** When set before the camera opens: its tracks claim a torch, and switching it fails with this name. */
  __torchFails?: string;
}

/** Makes the page's next camera openings reject, one per name, in order. */
export async function failNextCameraOpen(page: Page, ...names: string[]): Promise<void> {
  await page.evaluate((n) => (window as unknown as CameraProbeWindow).__cameraFailures.push(...n), names);
}

/** Makes the torch of cameras opened from now on exist, and fail with this error name when switched. */
export async function failTorch(page: Page, name: string): Promise<void> {
  await page.evaluate((n) => ((window as unknown as CameraProbeWindow).__torchFails = n), name);
}

/** The state of every camera track the page was given: `live` or `ended`, in the order opened. */
export async function cameraTrackStates(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as CameraProbeWindow).__cameraTracks.map((t) => t.readyState));
}

/** How many times the page asked for a camera. */
export async function cameraCalls(page: Page): Promise<number> {
  return page.evaluate(() => (window as unknown as CameraProbeWindow).__cameraCalls);
}
