/**
 * What the server's child processes may know of its environment (issue #11 item 8). ffmpeg and
 * ffprobe read files and RTP a caller shaped; the mediasoup worker parses every caller's packets. A
 * child that holds JWT_SECRET, TURN_SECRET or Twilio's token turns any bug in it into a stolen key,
 * so children get an environment of their own, and the secrets leave the server's once parsed.
 */

/** Variables a child may inherit: enough to find programs and libraries and to format text. */
export const CHILD_ENV_NAMES = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'LD_LIBRARY_PATH'] as const;

/** Where programs are looked for when the server's own PATH is not known. */
export const DEFAULT_CHILD_PATH = '/usr/local/bin:/usr/bin:/bin';

/** The environment to give a child process: the names above that are set in `env`, nothing else. */
export function childEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of CHILD_ENV_NAMES) {
    const value = env[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  out['PATH'] ??= DEFAULT_CHILD_PATH;
  return out;
}

/**
 * Names of variables that hold secrets: Sightline's own (CONTRACT.md, README), those of a
 * deployment (REDIS_PASSWORD of the compose file and chart; REDIS_URL carries it), and any name
 * that says it is one.
 */
const SECRET_NAMES = new Set(['JWT_SECRET', 'TURN_SECRET', 'TWILIO_AUTH_TOKEN', 'TWILIO_ACCOUNT_SID', 'REDIS_URL', 'REDIS_PASSWORD', 'DEMO_PASSWORD']);
const SECRET_PATTERN = /SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY/i;

export function isSecretEnvName(name: string): boolean {
  return SECRET_NAMES.has(name) || SECRET_PATTERN.test(name);
}

/**
 * Deletes every secret from `env` (the process's own, once the configuration holds them), so a child
 * that is spawned with the inherited environment by a library (mediasoup spawns its worker with
 * `process.env`) cannot read them either. Returns the names removed.
 */
export function scrubSecrets(env: NodeJS.ProcessEnv): string[] {
  const removed = Object.keys(env).filter(isSecretEnvName);
  for (const name of removed) delete env[name];
  return removed;
}
