type VideoWithFrames = HTMLVideoElement & {
  requestVideoFrameCallback?: (cb: () => void) => number;
  cancelVideoFrameCallback?: (handle: number) => void;
};

/**
 * Calls `onFrame` once, when `video` presents its next frame: set right after a new stream becomes
 * its source, the first frame of that stream shown on this screen (issue #16 §1: the console's
 * `media:first-frame` report). requestVideoFrameCallback where the browser has it (Chromium, Firefox,
 * Safari), else the first `loadeddata`. Returns the cancel, for a newer stream replacing this one
 * before it showed anything.
 */
export function watchFirstFrame(video: HTMLVideoElement, onFrame: () => void): () => void {
  const v = video as VideoWithFrames;
  let done = false;
  const once = () => {
    if (done) return;
    done = true;
    cancel();
    onFrame();
  };
  let cancel: () => void;
  if (typeof v.requestVideoFrameCallback === 'function') {
    const handle = v.requestVideoFrameCallback(once);
    cancel = () => v.cancelVideoFrameCallback?.(handle);
  } else {
    video.addEventListener('loadeddata', once);
    cancel = () => video.removeEventListener('loadeddata', once);
  }
  return () => {
    done = true;
    cancel();
  };
}
