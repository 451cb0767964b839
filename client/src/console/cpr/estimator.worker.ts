import { CprEstimator } from './CprEstimator.js';
import type { ToEstimator } from './CprMeasurement.js';

/**
 * The CPR coach's estimator off the console's main thread (CprMeasurement.ts): the analysis every
 * 2.5 s (tens of ms) never delays a frame of the caller's video or a click.
 */
let estimator: CprEstimator | undefined;

addEventListener('message', (e: MessageEvent<ToEstimator>) => {
  const m = e.data;
  if (m.kind === 'rules') {
    estimator = new CprEstimator(m.rules);
    estimator.readings.add((value) => postMessage({ kind: 'reading', value }));
    estimator.windows.add((value) => postMessage({ kind: 'window', value }));
    estimator.pauses.add((value) => postMessage({ kind: 'pause', value }));
  } else if (!estimator) return;
  else if (m.kind === 'frame') estimator.push({ t: m.t, luma: m.luma });
  else if (m.kind === 'advance') estimator.advance(m.t);
  else {
    estimator.stop(m.t);
    postMessage({ kind: 'stopped' });
  }
});
