// Renders a plugin version's configFiles with Handlebars. Config files are not HTML, so nothing is
// escaped. Compiled templates are cached per template text.
import { createHash } from 'node:crypto';
import Handlebars from 'handlebars';

/** What every config file template sees. */
export interface TemplateContext {
  /** The validated config: preset, overrides and CUE defaults. */
  config: Record<string, unknown>;
  instance: {
    name: string;
    namespace: string;
    uid: string;
    replicas: number;
    /** Headless Service of the members: pod i is <name>-<i>.<headlessService>.<namespace>.svc. */
    headlessService: string;
  };
  /** One entry per member, ordinal 0 first. */
  members: Array<{ ordinal: number; name: string; host: string }>;
  plugin: { type: string; version: string; middlewareVersion: string };
}

const hbs = Handlebars.create();
hbs.registerHelper('yesno', (v: unknown) => (v ? 'yes' : 'no'));
hbs.registerHelper('onoff', (v: unknown) => (v ? 'ON' : 'OFF'));
hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hbs.registerHelper('add', (a: unknown, b: unknown) => Number(a) + Number(b));
hbs.registerHelper('json', (v: unknown) => JSON.stringify(v));
hbs.registerHelper('join', (list: unknown, sep: unknown) =>
  Array.isArray(list) ? list.join(typeof sep === 'string' ? sep : ',') : '',
);
/** A UUID as 22 characters of URL-safe base64, the form of a Kafka cluster id. */
hbs.registerHelper('uuidBase64', (uuid: unknown) =>
  Buffer.from(String(uuid).replace(/-/g, '').padEnd(32, '0').slice(0, 32), 'hex').toString('base64url'),
);

const compiled = new Map<string, Handlebars.TemplateDelegate>();

export function renderTemplate(template: string, context: TemplateContext): string {
  let fn = compiled.get(template);
  if (!fn) {
    fn = hbs.compile(template, { noEscape: true, strict: false });
    compiled.set(template, fn);
  }
  return fn(context);
}

/** sha256 over the files in name order: changes when any file's name or content changes. */
export function filesChecksum(files: Record<string, string>): string {
  const h = createHash('sha256');
  for (const name of Object.keys(files).sort()) {
    h.update(name).update('\0').update(files[name]!).update('\0');
  }
  return `sha256:${h.digest('hex')}`;
}
