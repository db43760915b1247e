// The packaging configuration (electron-builder.yml): the fuses that keep other local processes from running code
// as Holdfast. electron-builder cannot run here (no Electron binary), so the configuration it would read is checked,
// against electron-builder's own schema of fuse options.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';

const root = new URL('../..', import.meta.url);
const config = load(readFileSync(new URL('electron-builder.yml', root), 'utf8')) as Record<string, unknown>;

describe('electron-builder.yml', () => {
  it('turns off running as Node, NODE_OPTIONS and --inspect, and turns on cookie encryption and ASAR integrity', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableCookieEncryption: true,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // Only-load-from-ASAR needs the app in an archive.
    expect(config.asar).toBe(true);
  });

  it('names only fuse options electron-builder knows (a typo would be dropped without a word)', () => {
    const require = createRequire(import.meta.url);
    const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as {
      definitions: { FuseOptionsV1: { properties: Record<string, unknown> } };
    };
    const known = Object.keys(schema.definitions.FuseOptionsV1.properties);
    for (const key of Object.keys(config.electronFuses as object)) expect(known).toContain(key);
  });
});
