// The error resolve() throws: it names the field of the instance that does not resolve, the value
// given and what exists, so the webhook and status can show it as it is.

export class PluginResolveError extends Error {
  readonly path: string;
  readonly value: string | undefined;
  readonly accepted: string[];

  constructor(
    path: string,
    value: string | undefined,
    problem: string,
    accepted: string[],
    acceptedLabel: string,
  ) {
    super(`${path}: ${problem}; ${acceptedLabel}: ${accepted.length ? accepted.join(', ') : '(none)'}`);
    this.name = 'PluginResolveError';
    this.path = path;
    this.value = value;
    this.accepted = accepted;
  }
}
