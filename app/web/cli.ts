// The web host's command line: flags, defaults, and the warning for a host others can reach.
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PORT, isLoopbackHost } from './server';

export interface CliOptions {
  host: string;
  port: number;
  dataDir: string;
  staticDir: string;
  help: boolean;
}

export const USAGE = `Usage: holdfast-web [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--data-dir DIR] [--static-dir DIR]

  --host        address to listen on (default 127.0.0.1; anything else lets others reach it)
  --port        port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --data-dir    where host profiles and remembered host keys are kept
  --static-dir  the built UI (default: out/renderer beside this bundle)`;

/** XDG on Linux and other Unixes, the usual places on macOS and Windows. */
export function defaultDataDir(env: NodeJS.ProcessEnv, platform: NodeJS.Platform, home = homedir()): string {
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'holdfast-web');
  if (platform === 'win32') return join(env.APPDATA || join(home, 'AppData', 'Roaming'), 'holdfast-web');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'holdfast-web');
}

/** Throws an Error with a message for the user on a bad flag. */
export function parseCli(argv: string[], defaults: { staticDir: string; env?: NodeJS.ProcessEnv; platform?: NodeJS.Platform }): CliOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'static-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
  const host = values.host ?? '127.0.0.1';
  if (!host.trim()) throw new Error('--host must not be empty');
  return {
    host,
    port,
    dataDir: values['data-dir'] ?? defaultDataDir(defaults.env ?? process.env, defaults.platform ?? process.platform),
    staticDir: values['static-dir'] ?? defaults.staticDir,
    help: values.help ?? false,
  };
}

/** Undefined for a loopback host; otherwise what the user must know before going on. */
export function exposureWarning(host: string): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return (
    `WARNING: listening on ${host}, not on loopback. Anyone who can reach this address and has the URL ` +
    `(with its token) controls your SSH sessions. The connection is plain HTTP: use it only on a network you trust, ` +
    `or put it behind SSH port forwarding instead.`
  );
}
