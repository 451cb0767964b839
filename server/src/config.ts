import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import ipaddr from 'ipaddr.js';
import { isPhoneCountry, RECORDING_POLICIES, STAFF_LOCALES, type PhoneCountry, type RecordingPolicy, type StaffLocale } from '@sightline/shared';
import { z } from 'zod';
import { childEnv } from './security/childEnv.js';
import { defaultCheckpointKeyFile } from './audit/checkpointKey.js';

/**
 * All configuration, parsed and validated once at start (CONTRACT.md lists the variables). Nothing
 * below this module reads process.env.
 */
/** The caller page's "who is asking" when CENTRE_NAME is not set: the Norwegian emergency medical centre's name. */
export const DEFAULT_CENTRE_NAME = 'AMK';

const port = z.coerce.number().int().min(0).max(65535);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: port.default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  PUBLIC_URL: z.url().optional(),
  JWT_SECRET: z.string().optional(),
  JWT_SECRET_PREVIOUS: z.string().optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'REDIS_URL must start with redis:// or rediss://')
    .optional(),
  SMS_PROVIDER: z.enum(['console', 'twilio']).default('console'),
  TWILIO_ACCOUNT_SID: z.string().min(1).optional(),
  TWILIO_AUTH_TOKEN: z.string().min(1).optional(),
  TWILIO_FROM: z.string().min(1).optional(),
  TWILIO_API_URL: z.url().optional(),
  DEFAULT_COUNTRY: z.string().refine(isPhoneCountry, 'DEFAULT_COUNTRY: an ISO 3166 two-letter country code in capitals, e.g. NO').default('NO'),
  LOCALE: z.enum(STAFF_LOCALES).default('en'),
  TZ: z.string().refine(isTimeZone, 'TZ: an IANA time zone name, e.g. Europe/Oslo').optional(),
  DATA_DIR: z.string().default('./data'),
  MIN_FREE_DISK_MB: z.coerce.number().min(0).default(512),
  RECORDING_POLICY: z.enum(RECORDING_POLICIES).default('on-demand'),
  CENTRE_NAME: z.string().trim().min(1).max(60).default(DEFAULT_CENTRE_NAME),
  RETENTION_DAYS: z.coerce.number().int().min(1).default(30),
  RETENTION_INTERVAL_MINUTES: z.coerce.number().positive().default(1440),
  RTC_ANNOUNCED_IP: z.string().min(1).default('127.0.0.1'),
  RTC_LISTEN_IP: z.string().min(1).optional(),
  RTC_PORT: port.default(40000),
  MEDIASOUP_WORKERS: z.coerce.number().int().min(1).max(64).optional(),
  ROUTER_MAX_CONSUMERS: z.coerce.number().int().min(1).default(400),
  DEMO_PASSWORD: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INVITE_TTL_MINUTES: z.coerce.number().positive().default(15),
  SESSION_MAX_MINUTES: z.coerce.number().positive().default(120),
  SESSION_IDLE_MINUTES: z.coerce.number().positive().default(10),
  SPOKEN_CODE_MINUTES: z.coerce.number().positive().default(10),
  STAFF_TOKEN_MINUTES: z.coerce.number().positive().default(30),
  STAFF_SHIFT_HOURS: z.coerce.number().positive().default(12),
  STAFF_RECHECK_SECONDS: z.coerce.number().positive().default(15),
  TURN_SECRET: z.string().min(16).optional(),
  TURN_URLS: z.string().optional(),
  TURN_TTL_SECONDS: z.coerce.number().int().positive().default(3600),
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  SOCKET_EVENTS_PER_SECOND: z.coerce.number().int().positive().default(60),
  SOCKET_REFUSALS_PER_10S: z.coerce.number().int().positive().default(120),
  TRUST_PROXY: z.string().optional(),
  CHECKPOINT_KEY_FILE: z.string().optional(),
  CHECKPOINT_PUBLIC_KEY_FILE: z.string().optional(),
  CHECKPOINT_INTERVAL_SECONDS: z.coerce.number().positive().default(300),
  WEBHOOK_URLS: z.string().optional(),
  WEBHOOK_SECRET: z
    .string()
    .regex(/^whsec_[A-Za-z0-9+/]{22,}={0,2}$/, 'WEBHOOK_SECRET: a Standard Webhooks secret, whsec_ and base64 (at least 16 bytes)')
    .optional(),
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().positive().default(5),
  WEBHOOK_DEAD_AFTER_HOURS: z.coerce.number().positive().default(24),
  EIDO_WEBHOOK: z.string().optional(),
  NODE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'NODE_ID: letters, digits, dot, dash, underscore (at most 64)')
    .optional(),
});

export interface Config {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  publicUrl: string;
  jwtSecret: Buffer;
  /**
   * True when JWT_SECRET was not given and `jwtSecret` was generated here. With REDIS_URL the nodes
   * then agree on one generated key through Redis (auth/clusterSecret.ts) instead of each using its own.
   */
  jwtSecretGenerated: boolean;
  /** JWT_SECRET_PREVIOUS: the key before a rotation, still accepted (never signed with) while set. */
  jwtSecretPrevious?: Buffer;
  redisUrl?: string;
  smsProvider: 'console' | 'twilio';
  /** DEFAULT_COUNTRY: whose numbers the console takes without a country code (`91234567` → +47…). */
  defaultCountry: PhoneCountry;
  twilio?: { accountSid: string; authToken: string; from: string; apiUrl?: string };
  /** LOCALE (`nb` or `en`, default `en`): the staff pages' language for a user who has not chosen one. */
  staffLocale: StaffLocale;
  /**
   * The centre's time zone, in which the staff pages show every time (issue #16 §4): TZ, else the
   * zone this process resolves (the host's). Logs, exports and API answers stay in UTC.
   */
  timeZone: string;
  dataDir: string;
  /**
   * Free space kept on DATA_DIR's file system for the logs (MIN_FREE_DISK_MB, default 512 MB): new
   * stills and recordings are refused (507) below it. 512 MB is hours of log records for every live
   * session, and about a minute of recording for a few hundred at once.
   */
  minFreeDiskBytes: number;
  recordingPolicy: RecordingPolicy;
  /** Who asks the caller for video, named on the caller page (CENTRE_NAME, default "AMK"; at most 60 characters). */
  centreName: string;
  retentionDays: number;
  /** How often the server's retention timer runs (daily); shorter in tests. */
  retentionIntervalMs: number;
  rtc: { announcedIp: string; listenIp: string; port: number; workers: number; maxConsumersPerRouter: number };
  demoPassword?: string;
  logLevel: string;
  inviteTtlMs: number;
  sessionMaxMs: number;
  sessionIdleMs: number;
  spokenCodeTtlMs: number;
  /** Lifetime of a staff token; the open page refreshes it at a third of that. Fractions are for tests. */
  staffTokenTtlMs: number;
  /** Absolute lifetime of a staff login from its password check, refreshes included (STAFF_SHIFT_HOURS, 12). */
  staffShiftMs: number;
  /** How often live sockets are checked for revocation and expiry (STAFF_RECHECK_SECONDS, 15). */
  staffRecheckMs: number;
  socketEventsPerSecond: number;
  /** Refused messages a socket may collect in 10 s before it is dropped (LIMITS.refusalsPerConnection). */
  socketRefusalsPer10s: number;
  /** This node's name in the cluster; the same across restarts so it keeps its sessions. */
  nodeId: string;
  /**
   * Proxies whose X-Forwarded-For is believed: addresses/CIDRs, or express names (loopback). In
   * production only loopback, addresses and ranges no wider than an IPv4 /16 or IPv6 /48 are taken: any host in the
   * range could then choose the address the per-IP limits count (issue #11).
   */
  trustProxy: string[];
  turn?: { secret: string; urls: string[]; ttlSeconds: number };
  /**
   * Signed log checkpoints (audit/Checkpoints.ts). `keyFile`: the Ed25519 private key (PKCS#8 PEM),
   * never inside `dataDir`; `keyFileDefaulted`: CHECKPOINT_KEY_FILE was unset and this is the
   * development key in the user's config folder, made on first use (refused in production).
   * `publicKeyFiles`: more public keys to accept (older keys after a rotation). `intervalMs`: how often
   * live logs' heads are signed (a session's end is signed at once).
   */
  checkpoint: { keyFile: string; keyFileDefaulted: boolean; publicKeyFiles: string[]; intervalMs: number };
  tls?: { certFile: string; keyFile: string };
  /** The environment child processes (ffmpeg, ffprobe) run with: PATH and locale, no secrets (security/childEnv.ts). */
  childEnv: Record<string, string>;
  /**
   * Webhooks for CAD and other systems (webhooks/): the receivers' URLs (WEBHOOK_URLS, comma-separated),
   * the Standard Webhooks secret (WEBHOOK_SECRET, `whsec_…`), the first retry's delay (doubling each
   * time, at most an hour) and how long a delivery is tried before it goes to the dead letters (a day).
   * `eidoUrl` (EIDO_WEBHOOK): where each session's EIDO document goes at its end, through the same
   * queue and signed with the same secret; it may stand alone (then `urls` is empty).
   */
  webhooks?: { urls: string[]; eidoUrl?: string; secret: string; retryBaseMs: number; deadAfterMs: number };
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable means unset (shells and compose files produce them).
  const parsed = envSchema.safeParse(Object.fromEntries(Object.entries(env).filter(([, v]) => v !== '')));
  if (!parsed.success) {
    // Each line names its variable once: some messages name it themselves ("TZ: an IANA time zone …").
    const lines = parsed.error.issues.map((i) => {
      const name = i.path.join('.');
      return `  ${i.message.startsWith(`${name}:`) || i.message.startsWith(`${name} `) ? i.message : `${name}: ${i.message}`}`;
    });
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  return {
    env: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ''),
    jwtSecret: jwtSecret(e.JWT_SECRET, e.NODE_ENV),
    jwtSecretGenerated: e.JWT_SECRET === undefined,
    jwtSecretPrevious: e.JWT_SECRET_PREVIOUS === undefined ? undefined : secretBytes(e.JWT_SECRET_PREVIOUS, 'JWT_SECRET_PREVIOUS'),
    redisUrl: e.REDIS_URL,
    smsProvider: e.SMS_PROVIDER,
    defaultCountry: e.DEFAULT_COUNTRY as PhoneCountry,
    twilio: twilioConfig(e),
    staffLocale: e.LOCALE,
    timeZone: e.TZ ?? new Intl.DateTimeFormat().resolvedOptions().timeZone,
    dataDir: path.resolve(e.DATA_DIR),
    minFreeDiskBytes: e.MIN_FREE_DISK_MB * 1024 * 1024,
    recordingPolicy: e.RECORDING_POLICY,
    centreName: e.CENTRE_NAME,
    retentionDays: e.RETENTION_DAYS,
    retentionIntervalMs: e.RETENTION_INTERVAL_MINUTES * 60_000,
    rtc: {
      announcedIp: e.RTC_ANNOUNCED_IP,
      listenIp: e.RTC_LISTEN_IP ?? (isIp(e.HOST) ? e.HOST : '127.0.0.1'),
      port: e.RTC_PORT,
      workers: e.MEDIASOUP_WORKERS ?? Math.max(1, os.availableParallelism()),
      maxConsumersPerRouter: e.ROUTER_MAX_CONSUMERS,
    },
    demoPassword: demoPassword(e.DEMO_PASSWORD, e.NODE_ENV),
    logLevel: e.LOG_LEVEL,
    inviteTtlMs: e.INVITE_TTL_MINUTES * 60_000,
    sessionMaxMs: e.SESSION_MAX_MINUTES * 60_000,
    sessionIdleMs: e.SESSION_IDLE_MINUTES * 60_000,
    spokenCodeTtlMs: e.SPOKEN_CODE_MINUTES * 60_000,
    staffTokenTtlMs: e.STAFF_TOKEN_MINUTES * 60_000,
    staffShiftMs: e.STAFF_SHIFT_HOURS * 3600_000,
    staffRecheckMs: e.STAFF_RECHECK_SECONDS * 1000,
    socketEventsPerSecond: e.SOCKET_EVENTS_PER_SECOND,
    socketRefusalsPer10s: e.SOCKET_REFUSALS_PER_10S,
    trustProxy: trustProxyConfig(e.TRUST_PROXY, e.NODE_ENV),
    nodeId:
      e.NODE_ID ??
      `${os
        .hostname()
        .replace(/[^A-Za-z0-9._-]/g, '-')
        .slice(0, 50)}-${e.PORT}`,
    turn:
      e.TURN_SECRET && e.TURN_URLS ? { secret: e.TURN_SECRET, urls: e.TURN_URLS.split(',').map((u) => u.trim()), ttlSeconds: e.TURN_TTL_SECONDS } : undefined,
    tls: tlsConfig(e.TLS_CERT_FILE, e.TLS_KEY_FILE),
    webhooks: webhookConfig(e),
    childEnv: childEnv(env),
    checkpoint: checkpointConfig(e, env),
  };
}

function checkpointConfig(e: z.infer<typeof envSchema>, env: NodeJS.ProcessEnv): Config['checkpoint'] {
  if (!e.CHECKPOINT_KEY_FILE && e.NODE_ENV === 'production') {
    throw new ConfigError('CHECKPOINT_KEY_FILE is required when NODE_ENV=production (an Ed25519 private key outside DATA_DIR)');
  }
  const keyFile = path.resolve(e.CHECKPOINT_KEY_FILE ?? defaultCheckpointKeyFile(env));
  const inside = path.relative(path.resolve(e.DATA_DIR), keyFile);
  if (!inside.startsWith('..') && !path.isAbsolute(inside)) {
    // Whoever can write the data directory must not be able to read the key that vouches for it.
    throw new ConfigError(`CHECKPOINT_KEY_FILE must be outside DATA_DIR (${keyFile})`);
  }
  return {
    keyFile,
    keyFileDefaulted: !e.CHECKPOINT_KEY_FILE,
    publicKeyFiles: (e.CHECKPOINT_PUBLIC_KEY_FILE ?? '')
      .split(',')
      .map((f) => f.trim())
      .filter(Boolean),
    intervalMs: e.CHECKPOINT_INTERVAL_SECONDS * 1000,
  };
}

/** A demo password is a shared, often printed secret: fine for a demo, refused in production. */
function demoPassword(given: string | undefined, nodeEnv: string): string | undefined {
  if (given !== undefined && nodeEnv === 'production')
    throw new ConfigError('DEMO_PASSWORD is refused when NODE_ENV=production: add users with `npx sightline user add`');
  return given;
}

function twilioConfig(e: z.infer<typeof envSchema>): Config['twilio'] {
  if (e.SMS_PROVIDER !== 'twilio') return undefined;
  const missing = (['TWILIO_ACCOUNT_SID', 'TWILIO_AUTH_TOKEN', 'TWILIO_FROM'] as const).filter((k) => !e[k]);
  if (missing.length) throw new ConfigError(`SMS_PROVIDER=twilio needs ${missing.join(', ')}`);
  return { accountSid: e.TWILIO_ACCOUNT_SID!, authToken: e.TWILIO_AUTH_TOKEN!, from: e.TWILIO_FROM!, apiUrl: e.TWILIO_API_URL };
}

/**
 * The widest range a production TRUST_PROXY entry may name: an IPv4 /16 (a Kubernetes pod network
 * is often one) or an IPv6 /48. Anything wider lets hosts the operator does not run choose the
 * address the per-address limits count; express's range names (uniquelocal, linklocal) are wider.
 */
const NARROWEST_PREFIX = { ipv4: 16, ipv6: 48 } as const;

function trustProxyConfig(raw: string | undefined, nodeEnv: string): string[] {
  const entries = (raw ?? 'loopback')
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  if (nodeEnv !== 'production') return entries;
  const broad = entries.filter((v) => v !== 'loopback' && !isNarrowProxyRange(v));
  if (broad.length) {
    throw new ConfigError(
      `TRUST_PROXY: name the proxy's own address or CIDR (at most /${NARROWEST_PREFIX.ipv4} for IPv4, /${NARROWEST_PREFIX.ipv6} for IPv6), not ${broad.join(', ')} (every host in that range would be believed)`,
    );
  }
  return entries;
}

/** An address, or a CIDR no wider than NARROWEST_PREFIX; IPv4-mapped IPv6 ranges are judged as IPv4. */
function isNarrowProxyRange(entry: string): boolean {
  const [ip, bits] = entry.split('/');
  if (!ip || !ipaddr.isValid(ip) || (bits !== undefined && !/^\d{1,3}$/.test(bits))) return false;
  const addr = ipaddr.parse(ip);
  if (bits === undefined) return true;
  let prefix = Number(bits);
  if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress()) prefix -= 96;
  const kind = addr.kind() === 'ipv6' && !(addr as ipaddr.IPv6).isIPv4MappedAddress() ? 'ipv6' : 'ipv4';
  return prefix >= NARROWEST_PREFIX[kind] && prefix <= (kind === 'ipv4' ? 32 : 128);
}

function tlsConfig(certFile?: string, keyFile?: string): Config['tls'] {
  if (!certFile && !keyFile) return undefined;
  if (!certFile || !keyFile) throw new ConfigError('TLS needs both TLS_CERT_FILE and TLS_KEY_FILE');
  return { certFile, keyFile };
}

function secretBytes(given: string, name: string): Buffer {
  const bytes = Buffer.from(given, 'utf8');
  if (bytes.length < 32) throw new ConfigError(`${name} must be at least 32 bytes`);
  return bytes;
}

function jwtSecret(given: string | undefined, nodeEnv: string): Buffer {
  if (given !== undefined) return secretBytes(given, 'JWT_SECRET');
  if (nodeEnv === 'production') throw new ConfigError('JWT_SECRET is required when NODE_ENV=production');
  // Development: a fresh secret each start, so tokens do not outlive the process.
  return randomBytes(32);
}

/** True for a time zone name Intl knows (IANA names such as `Europe/Oslo`, and `UTC`). */
function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

function isIp(host: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(host) || host.includes(':');
}

function webhookConfig(e: z.infer<typeof envSchema>): Config['webhooks'] {
  const urls = (e.WEBHOOK_URLS ?? '')
    .split(',')
    .map((u) => u.trim())
    .filter(Boolean);
  const eidoUrl = e.EIDO_WEBHOOK?.trim() || undefined;
  if (!urls.length && !eidoUrl) return undefined;
  const isHttp = (u: string) => /^https?:\/\//.test(u) && URL.canParse(u);
  for (const u of urls) if (!isHttp(u)) throw new ConfigError(`WEBHOOK_URLS: not an http(s) URL: ${u}`);
  if (eidoUrl && !isHttp(eidoUrl)) throw new ConfigError(`EIDO_WEBHOOK: not an http(s) URL: ${eidoUrl}`);
  if (!e.WEBHOOK_SECRET) {
    // The EIDO goes through the webhook queue and is signed like every webhook: unsigned, a receiver could not tell it from a forgery.
    if (!urls.length)
      throw new ConfigError('EIDO_WEBHOOK needs WEBHOOK_SECRET: its deliveries are signed like the webhooks (a Standard Webhooks secret, whsec_…)');
    throw new ConfigError('WEBHOOK_SECRET is required with WEBHOOK_URLS (a Standard Webhooks secret, whsec_…)');
  }
  return {
    urls,
    ...(eidoUrl && { eidoUrl }),
    secret: e.WEBHOOK_SECRET,
    retryBaseMs: e.WEBHOOK_RETRY_BASE_SECONDS * 1000,
    deadAfterMs: e.WEBHOOK_DEAD_AFTER_HOURS * 3600_000,
  };
}
