import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logging.js';
import { scrubSecrets } from './security/childEnv.js';
import { installWorkerBinary, WorkerBinaryMissingError } from './sfu/workerBinary.js';

/**
 * Entry point of `npm start`. The worker binary is resolved before mediasoup is imported because
 * mediasoup reads MEDIASOUP_WORKER_BIN once, when it loads.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  const worker = installWorkerBinary();
  log.info({ workerBinary: worker.path, source: worker.source }, 'mediasoup worker binary');
  // The configuration holds the secrets now. Out of the environment with them before mediasoup
  // spawns its workers with a copy of it (issue #11 item 8).
  scrubSecrets(process.env);

  // A stray rejection is a bug to find, not a reason to drop every live call: log it and go on.
  process.on('unhandledRejection', (reason) => log.error({ err: String(reason) }, 'unhandled rejection'));
  const { startServer } = await import('./server.js');
  const server = await startServer(config, log);
  process.stdout.write(`Sightline is up: ${config.publicUrl}/console\n`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof WorkerBinaryMissingError) {
    process.stderr.write(`sightline: ${err.message}\n`);
  } else {
    process.stderr.write(`sightline: failed to start: ${(err as Error).stack ?? String(err)}\n`);
  }
  process.exit(1);
});
