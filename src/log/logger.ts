// pino JSON logs. Audit lines go to the same stream marked `audit: true` so they can be routed
// separately by the log pipeline. Secret material is redacted by path as a second line of defence;
// the first is never putting it in a log call.
import { type Logger, pino } from 'pino';

export type { Logger };

export const REDACT_PATHS = [
  'password',
  '*.password',
  'secret',
  '*.secret',
  'data',
  '*.data',
  'stringData',
  '*.stringData',
  'token',
  '*.token',
  'authorization',
  '*.authorization',
  'secretAccessKey',
  '*.secretAccessKey',
];

export function createLogger(opts: { level?: string; destination?: pino.DestinationStream } = {}): Logger {
  return pino(
    {
      level: opts.level ?? process.env.MWOP_LOG_LEVEL ?? 'info',
      base: { app: 'mwop' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    opts.destination,
  );
}

/** Who did what to which object, with what result (non-functional requirement: audit log). */
export function audit(
  log: Logger,
  entry: {
    actor?: string;
    action: string;
    kind: string;
    namespace?: string;
    name: string;
    result: string;
    detail?: string;
  },
): void {
  log.info(
    { audit: true, ...entry },
    `audit ${entry.action} ${entry.kind} ${entry.namespace ?? ''}/${entry.name}: ${entry.result}`,
  );
}
