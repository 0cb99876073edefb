/**
 * An error a user can act on: where (the field path), what was given and what is accepted.
 * Used for every input the backup code validates, so status conditions and CLI output read alike.
 */
export class FieldValueError extends Error {
  readonly field: string;
  readonly value: unknown;
  readonly accepted: string;

  constructor(field: string, value: unknown, accepted: string, detail?: string) {
    const given = value === undefined ? 'nothing' : JSON.stringify(value);
    super(`${field}: ${detail ? `${detail}; ` : ''}got ${given}, accepted ${accepted}`);
    this.name = 'FieldValueError';
    this.field = field;
    this.value = value;
    this.accepted = accepted;
  }
}

/** Parses a Go-style duration with days ("720h", "30d", "1h30m", "90s") to milliseconds. */
export function parseDuration(value: unknown, field: string): number {
  const accepted = 'a duration such as 90s, 45m, 720h, 30d or 1h30m (units ns, us, ms, s, m, h, d)';
  if (typeof value !== 'string' || value.length === 0) {
    throw new FieldValueError(field, value, accepted);
  }
  const unitMs: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
    d: 86_400_000,
  };
  const re = /([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h|d)/y;
  let total = 0;
  let pos = 0;
  while (pos < value.length) {
    re.lastIndex = pos;
    const m = re.exec(value);
    if (!m) throw new FieldValueError(field, value, accepted);
    total += Number(m[1]) * (unitMs[m[2] as string] as number);
    pos = re.lastIndex;
  }
  return total;
}
