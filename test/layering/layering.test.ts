// The layering is enforced by the build; these tests show that a wrong import really fails it, through the
// project's own ESLint config and per-layer tsconfigs, not a copy of the rules.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..', '..');

async function lint(path: string, code: string): Promise<string[]> {
  const eslint = new ESLint({ cwd: root });
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('import rule', () => {
  it.each([
    ['app/renderer/src/x.ts', "import { readFileSync } from 'node:fs';", /runs without Node/],
    ['app/renderer/src/x.ts', "import { Client } from 'ssh2';", /'ssh2' may not be imported/],
    ['app/renderer/src/x.ts', "import { HoldfastCore } from '../../core/service';", /may not import app\/core/],
    ['app/core/x.ts', "import { app } from 'electron';", /'electron' may not be imported/],
    ['app/core/x.ts', "import { createRoot } from 'react-dom/client';", /'react-dom' may not be imported/],
    ['app/shared/x.ts', "import { EventEmitter } from 'events';", /runs without Node/],
    ['app/main/x.ts', "import { Client } from 'ssh2';", /'ssh2' may not be imported/],
    ['app/preload/x.ts', "import { HoldfastCore } from '../core/service';", /may not import app\/core/],
    ['app/web/x.ts', "import { BrowserWindow } from 'electron';", /'electron' may not be imported/],
  ])('refuses in %s: %s', async (path, code, message) => {
    const errors = await lint(path, code);
    expect(errors.some((e) => message.test(e))).toBe(true);
  });

  it.each([
    ['app/renderer/src/x.ts', "import { commands } from '../../shared/contract';"],
    ['app/core/x.ts', "import { Client } from 'ssh2';"],
    ['app/main/x.ts', "import { app } from 'electron';"],
  ])('allows in %s: %s', async (path, code) => {
    expect(await lint(path, code)).toEqual([]);
  });
});

describe('per-layer type-check', () => {
  function typecheck(layer: string, file: string, code: string): string {
    const dir = mkdtempSync(join(root, layer, '.layering-'));
    try {
      writeFileSync(join(dir, file), code);
      const config = join(dir, 'tsconfig.json');
      writeFileSync(
        config,
        JSON.stringify({ extends: relative(dir, join(root, layer, 'tsconfig.json')), include: [`./${file}`] }),
      );
      try {
        execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', config], { encoding: 'utf8' });
        return '';
      } catch (err) {
        return String((err as { stdout?: string }).stdout);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('has no DOM in core', () => {
    expect(typecheck('app/core', 'x.ts', 'export const el = document.body;\n')).toMatch(/Cannot find name 'document'/);
  });

  it('has no Node in the renderer', () => {
    expect(typecheck('app/renderer', 'x.ts', 'export const cwd = process.cwd();\n')).toMatch(/Cannot find name 'process'/);
  });

  it('has neither in shared', () => {
    const output = typecheck('app/shared', 'x.ts', 'export const a = process.cwd();\nexport const b = window.location;\n');
    expect(output).toMatch(/Cannot find name 'process'/);
    expect(output).toMatch(/Cannot find name 'window'/);
  });
});
