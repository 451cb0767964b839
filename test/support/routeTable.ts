import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort, REPO_ROOT } from './server.js';

export interface MountedRoute {
  method: string;
  path: string;
}

/**
 * Starts the built server (server/dist, as the e2e servers run) through its own composition root
 * with every optional part switched on (Twilio, so the delivery webhook is mounted), reads the
 * routes off its express router stack (`mountedRoutes` in server/src/http/route.ts), and stops it.
 * Nothing is listed by hand: a route added anywhere in the server shows up here.
 */
const SCRIPT = `
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';
// socket.io wraps the server's request listener: keep the app the composition root hands to createServer.
let app;
const createServer = http.createServer;
http.createServer = (...args) => ((app = args.find((a) => typeof a === 'function')), createServer(...args));
syncBuiltinESMExports();
const dist = new URL('server/dist/', 'file://' + process.cwd() + '/');
const { loadConfig } = await import(new URL('config.js', dist).href);
const { createLogger } = await import(new URL('logging.js', dist).href);
const { installWorkerBinary } = await import(new URL('sfu/workerBinary.js', dist).href);
const { mountedRoutes } = await import(new URL('http/route.js', dist).href);
installWorkerBinary();
const { startServer } = await import(new URL('server.js', dist).href);
const server = await startServer(loadConfig(), createLogger('silent'));
const routes = mountedRoutes(app);
await server.close();
process.stdout.write(JSON.stringify(routes));
process.exit(0);
`;

export async function builtRoutes(): Promise<MountedRoute[]> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sightline-routes-'));
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', SCRIPT], {
      cwd: REPO_ROOT,
      timeout: 60_000,
      env: {
        ...process.env,
        PORT: '0',
        HOST: '127.0.0.1',
        RTC_PORT: String(await freePort()),
        MEDIASOUP_WORKERS: '1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'silent',
        SMS_PROVIDER: 'twilio',
        TWILIO_ACCOUNT_SID: `AC${'0'.repeat(32)}`,
        TWILIO_AUTH_TOKEN: 'route-table-auth-token',
        TWILIO_FROM: '+4700000000',
        TWILIO_API_URL: 'http://127.0.0.1:9',
      },
    });
    return JSON.parse(stdout) as MountedRoute[];
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
}

export const routeKey = (r: MountedRoute): string => `${r.method} ${r.path}`;
