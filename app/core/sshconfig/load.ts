// Reads an ssh_config with its Includes into a flat list of rules, each with the Host conditions under which
// it applies, and answers "what does ssh use for this host" with ssh's first-value-wins rule.
import fs from 'node:fs/promises';
import path from 'node:path';
import SSHConfig, { type Line } from 'ssh-config';
import { expandHome } from '../stores/paths';
import { expandGlob, isPlainAlias, matchPatternList } from './patterns';

/** One directive, and the Host pattern lists that must all match for it to apply (outer Include block first). */
export interface Rule {
  conditions: string[][];
  /** As written, for showing the user. */
  param: string;
  /** Lower case: ssh keywords are case-insensitive. */
  key: string;
  value: string;
  file: string;
}

export interface LoadedConfig {
  rules: Rule[];
  /** Plain Host aliases in order of first appearance. */
  aliases: string[];
  warnings: string[];
}

/** ssh's own limit on nested Includes (READCONF_MAX_DEPTH). */
const MAX_INCLUDE_DEPTH = 16;

/** Keywords that add to a list rather than being set once. */
const ACCUMULATING = new Set([
  'identityfile',
  'certificatefile',
  'localforward',
  'remoteforward',
  'dynamicforward',
  'sendenv',
  'setenv',
  'globalknownhostsfile',
  'userknownhostsfile',
  'canonicaldomains',
]);

type Directive = { param: string; value: string | { val: string }[] };

function values(d: Directive): string[] {
  return typeof d.value === 'string' ? d.value.split(/\s+/).filter(Boolean) : d.value.map((v) => v.val);
}

function text(d: Directive): string {
  return typeof d.value === 'string' ? d.value : d.value.map((v) => (/\s/.test(v.val) ? `"${v.val}"` : v.val)).join(' ');
}

/**
 * Loads `file` and everything it includes. `includeBase` is the folder relative Include paths resolve against:
 * ~/.ssh for a user's config, as ssh does.
 */
export async function loadSshConfig(file: string, options: { homeDir: string; includeBase: string }): Promise<LoadedConfig> {
  const loaded: LoadedConfig = { rules: [], aliases: [], warnings: [] };
  const seenAliases = new Set<string>();

  async function readFile(current: string, conditions: string[][], stack: string[]): Promise<void> {
    let content: string;
    try {
      content = await fs.readFile(current, 'utf8');
    } catch (err) {
      loaded.warnings.push(`Could not read ${current}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    let parsed: SSHConfig;
    try {
      parsed = SSHConfig.parse(content);
    } catch (err) {
      loaded.warnings.push(`Could not parse ${current}: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    await walk(parsed, current, conditions, [...stack, current]);
  }

  async function walk(lines: readonly Line[], current: string, conditions: string[][], stack: string[]): Promise<void> {
    for (const line of lines) {
      if (line.type !== SSHConfig.DIRECTIVE) continue;
      const directive = line as Directive;
      const key = directive.param.toLowerCase();
      if (key === 'host' && 'config' in line) {
        const patterns = values(directive);
        for (const pattern of patterns) {
          if (isPlainAlias(pattern) && !seenAliases.has(pattern.toLowerCase())) {
            seenAliases.add(pattern.toLowerCase());
            loaded.aliases.push(pattern);
          }
        }
        await walk(line.config, current, [...conditions, patterns], stack);
      } else if (key === 'match' && 'config' in line) {
        const criteria = values(directive).map((v) => v.toLowerCase());
        if (criteria.includes('all') && criteria.every((c) => c === 'all' || c === 'canonical' || c === 'final')) {
          await walk(line.config, current, conditions, stack);
        } else {
          loaded.warnings.push(`Holdfast does not evaluate Match blocks; the settings under "Match ${text(directive)}" in ${current} were not imported.`);
        }
      } else if (key === 'include') {
        await include(directive, current, conditions, stack);
      } else {
        loaded.rules.push({ conditions, param: directive.param, key, value: text(directive), file: current });
      }
    }
  }

  async function include(directive: Directive, current: string, conditions: string[][], stack: string[]): Promise<void> {
    for (const raw of values(directive)) {
      const expanded = expandHome(raw, options.homeDir);
      const pattern = path.isAbsolute(expanded) ? expanded : path.join(options.includeBase, expanded);
      const files = await expandGlob(pattern);
      if (files.length === 0) {
        loaded.warnings.push(`Include ${raw} in ${current}: no file at ${pattern}`);
        continue;
      }
      for (const target of files) {
        const real = await fs.realpath(target).catch(() => target);
        if (stack.includes(real) || stack.includes(target)) {
          loaded.warnings.push(`Include ${raw} in ${current}: skipped ${target}, which includes itself (a loop)`);
        } else if (stack.length >= MAX_INCLUDE_DEPTH) {
          loaded.warnings.push(`Include ${raw} in ${current}: skipped ${target}, Includes are nested too deeply`);
        } else {
          await readFile(real, conditions, stack);
        }
      }
    }
  }

  const start = await fs.realpath(file).catch(() => file);
  await readFile(start, [], []);
  return loaded;
}

/**
 * The rules ssh would use for `name`, in file order: for most keywords only the first value found counts;
 * list keywords (IdentityFile, LocalForward, …) keep every value.
 */
export function effectiveRules(config: LoadedConfig, name: string): Rule[] {
  const seen = new Set<string>();
  const result: Rule[] = [];
  for (const rule of config.rules) {
    if (!rule.conditions.every((patterns) => matchPatternList(name, patterns))) continue;
    if (ACCUMULATING.has(rule.key)) {
      result.push(rule);
    } else if (!seen.has(rule.key)) {
      seen.add(rule.key);
      result.push(rule);
    }
  }
  return result;
}
