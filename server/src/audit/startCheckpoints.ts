import type { Config } from '../config.js';
import type { Logger } from '../logging.js';
import { Checkpoints } from './Checkpoints.js';
import { loadCheckpointSigner, loadPublicKeys } from './checkpointKey.js';

/**
 * The server's checkpoints: its key (made on first use in development, in the user's config folder
 * and said so in the log; required in production), the older public keys it still accepts, and the
 * timer that signs live logs' heads every CHECKPOINT_INTERVAL_SECONDS.
 * @throws Error when the key file is unreadable or holds no Ed25519 key.
 */
export async function startCheckpoints(config: Config, log: Logger): Promise<Checkpoints> {
  const { keyFile, keyFileDefaulted, publicKeyFiles, intervalMs } = config.checkpoint;
  const signer = await loadCheckpointSigner(keyFile, config.env !== 'production');
  if (signer.created) log.warn({ keyFile, kid: signer.kid }, 'generated a log checkpoint key (development); set CHECKPOINT_KEY_FILE in production');
  else if (keyFileDefaulted) log.info({ keyFile, kid: signer.kid }, 'log checkpoints signed with the development key');
  const checkpoints = new Checkpoints(config.dataDir, { signer, keys: await loadPublicKeys(publicKeyFiles), node: config.nodeId, log });
  checkpoints.start(intervalMs);
  return checkpoints;
}
