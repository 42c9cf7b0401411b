import { z } from 'zod';
import { DEFAULT_DATA_DIR } from './db/paths.js';

/**
 * Environment, parsed once at the entry. A bad value fails loudly with the variable's name.
 * Names and defaults are part of the contract (shared/contract.md).
 */
const intFrom = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const configSchema = z.object({
  PORT: intFrom(0, 65535).default(8787),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default(DEFAULT_DATA_DIR),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  TZ: z.string().default('Asia/Shanghai'),
  SWEEP_CRON: z.string().default('0 2 * * *'),
  /** Liveness of `portal` endpoints for the inspection rule: a cron expression or `@every Nm` (from local midnight); empty disables. */
  PORTAL_CRON: z.string().default('@every 72m'),
  PROBE_CONCURRENCY: intFrom(1, 10_000).default(200),
  PROBE_PER_HOST: intFrom(1, 1000).default(4),
  /** Probe threads of a `xuncha sweep` process on PostgreSQL, 0 for the main thread; unset: none on 2 cores or fewer, else one per core but one. The embedded database probes on the main thread. */
  PROBE_THREADS: intFrom(0, 256).optional(),
  PROBE_TIMEOUT_MS: intFrom(100, 600_000).default(15_000),
  PROBE_DNS_SERVERS: z.string().optional(),
  PROBE_ALLOW_CIDRS: z.string().optional(),
  PROBE_DENY_CIDRS: z.string().optional(),
  /** Headless Chromium of the accessibility probe (axe-core): a path, `off`; unset: /usr/bin/chromium if it exists. */
  INSPECTION_BROWSER: z.string().optional(),
  /** Where notifications (webhooks, mail) may connect: like PROBE_ALLOW_CIDRS / PROBE_DENY_CIDRS, for deliveries. */
  NOTIFY_ALLOW_CIDRS: z.string().optional(),
  NOTIFY_DENY_CIDRS: z.string().optional(),
  PROBE_RETENTION_DAYS: intFrom(1, 3650).default(35),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Base URL of the service as people reach it, for links in reminders (e.g. https://xuncha.linyi.gov.cn). */
  PUBLIC_URL: z.string().url().optional(),
  /** Key that signs department links and web sessions; a random one is generated and stored when unset. */
  LINK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Failed sign-ins (bad bearer tokens, bad web logins) of one client address within SIGNIN_WINDOW_SECONDS before it gets 429 for SIGNIN_BLOCK_SECONDS. */
  SIGNIN_MAX_FAILURES: intFrom(1, 100_000).default(10),
  SIGNIN_WINDOW_SECONDS: intFrom(1, 86_400).default(900),
  SIGNIN_BLOCK_SECONDS: intFrom(1, 86_400).default(900),
  /** Scheduled backups by the server (cron, TZ); unset or empty: none. Files go to BACKUP_DIR, the newest BACKUP_KEEP are kept. */
  BACKUP_CRON: z.string().optional(),
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_KEEP: intFrom(1, 1000).default(7),
  /** When campaign and finding reminders go out; empty disables. */
  REMINDER_CRON: z.string().default('0 9 * * *'),
  // Cloud resource utilisation pulled from Prometheus (issue 12); unset URL: no pull.
  /** Base URL of the Prometheus holding the cloud's node_exporter series, e.g. http://10.0.0.9:9090. */
  RESOURCES_PROMETHEUS_URL: z.string().url().optional(),
  /** PromQL per figure; `{externalId}` (and `{name}`) stand for the resource's. Defaults: node_exporter series with instance = the resource id. */
  RESOURCES_PROMQL_CPU: z.string().min(1).optional(),
  RESOURCES_PROMQL_MEM: z.string().min(1).optional(),
  RESOURCES_PROMQL_NET_IN: z.string().min(1).optional(),
  RESOURCES_PROMQL_NET_OUT: z.string().min(1).optional(),
  RESOURCES_PROMQL_DISK_READ: z.string().min(1).optional(),
  RESOURCES_PROMQL_DISK_WRITE: z.string().min(1).optional(),
  /** Seconds between the points of a day's query_range (300: 288 points a day). */
  RESOURCES_PROMETHEUS_STEP_SECONDS: intFrom(15, 3600).default(300),
  /** Per query_range request; a slower Prometheus makes the day missing evidence (never idle). */
  RESOURCES_PROMETHEUS_TIMEOUT_MS: intFrom(100, 600_000).default(15_000),
  /** When the server pulls the last three local days (cron, TZ); empty disables. Only with RESOURCES_PROMETHEUS_URL. */
  RESOURCES_PULL_CRON: z.string().default('15 1 * * *'),
});

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings mean "unset", except the *_CRON variables where empty disables the schedule.
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) continue;
    if (v === '' && k !== 'SWEEP_CRON' && k !== 'REMINDER_CRON' && k !== 'PORTAL_CRON' && k !== 'RESOURCES_PULL_CRON') continue;
    cleaned[k] = v;
  }
  const parsed = configSchema.safeParse(cleaned);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new ConfigError(`invalid environment variable ${first.path.join('.')}: ${first.message}`);
  }
  return parsed.data;
}
