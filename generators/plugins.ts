// deploy/plugins/<type>.yaml from plugins/<type>/: the MiddlewareType skeleton with every
// version's CUE schema (configTemplate) and config file templates (configFiles) inlined, because
// the object applied to the cluster must carry them. A version uses config.<pluginVersion>.cue and
// templates/<pluginVersion>/ when they exist, else config.cue and templates/. The assembled
// object must pass the MiddlewareType schema, or generation fails.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import {
  formatFieldError,
  type MiddlewareType,
  MiddlewareTypeKind,
  validateAgainstSchema,
} from '../src/api/index.ts';
import { checkMiddlewareType } from '../src/config/index.ts';
import { GENERATED_HEADER, type Generator } from './types.ts';

export const PLUGINS_DIR = fileURLToPath(new URL('../plugins', import.meta.url));

function templatesOf(dir: string): { name: string; template: string }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.hbs') && statSync(join(dir, f)).isFile())
    .sort()
    .map((f) => ({ name: f.slice(0, -'.hbs'.length), template: readFileSync(join(dir, f), 'utf8') }));
}

/** The complete MiddlewareType of one plugin directory. Throws when it would not be valid. */
export function assemblePlugin(dir: string): MiddlewareType {
  const skeletonPath = join(dir, 'middlewaretype.yaml');
  const obj = parse(readFileSync(skeletonPath, 'utf8'), { merge: true }) as MiddlewareType;
  for (const v of obj.spec?.versions ?? []) {
    const cue = [join(dir, `config.${v.pluginVersion}.cue`), join(dir, 'config.cue')].find((p) =>
      existsSync(p),
    );
    if (cue && v.configTemplate === undefined) v.configTemplate = readFileSync(cue, 'utf8');
    const own = join(dir, 'templates', v.pluginVersion);
    const files = templatesOf(existsSync(own) ? own : join(dir, 'templates'));
    if (files.length > 0 && v.configFiles === undefined) v.configFiles = files;
  }
  const errors = validateAgainstSchema(MiddlewareTypeKind, obj);
  if (errors.length > 0) {
    throw new Error(
      `${skeletonPath}: the assembled MiddlewareType is invalid:\n${errors.map((e) => `  ${formatFieldError(e)}`).join('\n')}`,
    );
  }
  return obj;
}

/** Every plugins/<type>/ that has a middlewaretype.yaml, by type directory name. */
export function pluginDirs(root = PLUGINS_DIR): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, 'middlewaretype.yaml')))
    .sort();
}

export const pluginsGenerator: Generator = {
  name: 'plugins',
  outputDir: 'deploy/plugins',
  async generate() {
    const files = new Map<string, string>();
    for (const d of pluginDirs()) {
      const obj = assemblePlugin(join(PLUGINS_DIR, d));
      // Every preset must pass the plugin's own CUE and render: a broken plugin is never deployed.
      const problems = await checkMiddlewareType(obj);
      if (problems.length > 0)
        throw new Error(
          `plugins/${d}: the MiddlewareType is not usable:\n${problems.map((p) => `  ${p}`).join('\n')}`,
        );
      const name = obj.metadata?.name ?? d;
      files.set(
        `${name}.yaml`,
        GENERATED_HEADER.replace('from src/', `from plugins/${d}/`) +
          stringify(obj, { lineWidth: 0, aliasDuplicateObjects: false, blockQuote: 'literal' }),
      );
    }
    return files;
  },
};
