import pino from 'pino';
import { REDACTED, REDACT_PATHS, scrubSecrets } from './redact.js';

/** The logging surface the app uses; pino on Node, a console adapter on Workers. */
export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export { REDACTED, REDACT_PATHS, redactPath, scrubSecrets } from './redact.js';

export function createLogger(level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino(
    {
      level,
      base: { service: 'xuncha' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      hooks: { streamWrite: scrubSecrets },
    },
    destination,
  );
}

export const silentLog: Log = { info() {}, warn() {}, error() {}, debug() {} };
