import { launchDevice, type Device } from '../../support/browser.js';
import { cardScope, endSessionFromConsole } from '../../support/flow.js';

/**
 * One fault to recover from, measured the way its end-to-end test measures it, `runs` times on one
 * set-up. `run` returns the milliseconds from the fault (or from the node being up again) to
 * video from a new consumer decoding on the console with the card back at "live".
 */
export interface Scenario {
  name: string;
  /** What the figure counts from and to, and the bound its test asserts. */
  what: string;
  setup(devices: Devices): Promise<void>;
  run(): Promise<number>;
  teardown(): Promise<void>;
}

export interface Devices {
  dispatcher: Device;
  caller: Device;
}

export async function launchDevices(): Promise<Devices> {
  const [dispatcher, caller] = await Promise.all([launchDevice(), launchDevice({ mobile: true })]);
  return { dispatcher, caller };
}

/** Ends the run's session from its card and leaves the caller page, so the next run starts clean. */
export async function endRun(devices: Devices, sessionId: string): Promise<void> {
  await endSessionFromConsole(devices.dispatcher.page, cardScope(sessionId)).catch(() => undefined);
  await devices.caller.page.goto('about:blank');
}
