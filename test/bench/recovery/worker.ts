import { execFileSync } from 'node:child_process';
import { inboundVideo, newVideoDecoding } from '../../support/browser.js';
import { freePort, startServer, type TestServer } from '../../support/server.js';
import { framesKeepRising, liveSession } from '../../support/session.js';
import { endRun, type Devices, type Scenario } from './common.js';

/** The session's mediasoup worker SIGKILLed (test/e2e/faults.test.ts). */
export function workerKill(): Scenario {
  let server: TestServer;
  let devices: Devices;
  return {
    name: 'worker SIGKILL',
    what: 'from the SIGKILL of the mediasoup worker; faults.test.ts asserts < 5 s',
    async setup(d) {
      devices = d;
      const port = await freePort();
      server = await startServer({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, MEDIASOUP_WORKERS: '1', LOG_LEVEL: 'error' });
    },
    async run() {
      const { sessionId, c } = await liveSession(devices.dispatcher.page, devices.caller.page, server.url, { incident: 'BENCH-WORKER' });
      await framesKeepRising(devices.dispatcher.page);
      const before = await inboundVideo(devices.dispatcher.page);
      const ps = execFileSync('ps', ['--ppid', String(server.pid), '-o', 'pid=,comm='], { encoding: 'utf8' });
      const pid = Number(
        ps
          .split('\n')
          .find((l) => l.includes('mediasoup'))
          ?.trim()
          .split(/\s+/)[0],
      );
      process.kill(pid, 'SIGKILL');
      const killedAt = Date.now();
      await newVideoDecoding(devices.dispatcher.page, before, 30_000);
      await c.waitStatus('live', 30_000);
      const ms = Date.now() - killedAt;
      await endRun(devices, sessionId);
      return ms;
    },
    async teardown() {
      await server?.stop();
    },
  };
}
