// One error type for everything render/ refuses: it names the field path, the value that was
// given, and what would be accepted, so the controller can put it into status as it is.

export class RenderError extends Error {
  readonly path: string;
  readonly value: unknown;
  readonly accepted: string;

  constructor(path: string, value: unknown, accepted: string) {
    super(`${path}: ${value === undefined ? 'not set' : `got ${JSON.stringify(value)}`}; ${accepted}`);
    this.name = 'RenderError';
    this.path = path;
    this.value = value;
    this.accepted = accepted;
  }
}
