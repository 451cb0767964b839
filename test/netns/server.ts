import { freePort, startServer, type TestServer } from '../support/server.js';

/**
 * A Sightline server for the netns tests: HTTP on loopback, media on run.sh's veth end
 * (`LOSS_RTC_IP`; browsers gather no ICE candidates on loopback alone), one worker on `rtcPort`,
 * which the test's own nft rules aim at. `env` adds to or overrides that (e.g. `HOST` for a second desk).
 */
export async function startNetnsServer(rtcPort: number, env: Record<string, string> = {}): Promise<TestServer> {
  const port = await freePort();
  const rtcIp = process.env['LOSS_RTC_IP'] ?? '127.0.0.1';
  return startServer({
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    RTC_PORT: String(rtcPort),
    RTC_LISTEN_IP: rtcIp,
    RTC_ANNOUNCED_IP: rtcIp,
    MEDIASOUP_WORKERS: '1',
    ...env,
  });
}
