import pino from 'pino';

/** The logging surface the app uses; pino on Node, a console adapter on Workers. */
export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export function createLogger(level: string): pino.Logger {
  return pino({ level, base: { service: 'xuncha' }, timestamp: pino.stdTimeFunctions.isoTime });
}

export const silentLog: Log = { info() {}, warn() {}, error() {}, debug() {} };
