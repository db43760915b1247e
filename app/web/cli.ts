// The web host's command line: flags, defaults, and the warning for a host others can reach.
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_PORT } from './server';

export interface CliOptions {
  host: string;
  port: number;
  dataDir: string;
  staticDir: string;
  /** The user asked to serve an address other machines can reach. */
  allowRemote: boolean;
  tlsCert?: string;
  tlsKey?: string;
  /** The local-network address paired devices reach this computer by over HTTPS (default: its first one). */
  companionAddress?: string;
  /** How long a page that went keeps its tabs attached for its reload, in seconds. */
  keepTabsSec: number;
  help: boolean;
}

/** A page that went (closed, reloaded, its laptop asleep) keeps its tabs attached this long for its return. */
export const DEFAULT_KEEP_TABS_SEC = 60;

export const USAGE = `Usage: holdfast-web [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--data-dir DIR] [--static-dir DIR]
                    [--allow-remote] [--tls-cert FILE --tls-key FILE] [--keep-tabs SECONDS]
                    [--companion-address ADDRESS]

  --host          address to listen on (default 127.0.0.1, this computer only)
  --port          port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --data-dir      where host profiles and remembered host keys are kept
  --static-dir    the built UI (default: out/renderer beside this bundle)
  --allow-remote  needed for any --host other machines can reach; the web host then speaks only HTTPS (with
                  --tls-cert/--tls-key, or a certificate it generates and keeps in the data dir, whose
                  fingerprint it prints), except on a Tailscale address (100.64.0.0/10), which WireGuard encrypts
  --tls-cert      PEM certificate (chain) to serve HTTPS with
  --tls-key       its PEM private key
  --keep-tabs     how long the tabs of a page that went stay attached, so that its reload finds them as they were
                  (default ${DEFAULT_KEEP_TABS_SEC}; the tmux sessions keep running either way)
  --companion-address
                  the local network address a paired phone reaches this computer by (Pair a device → Local network
                  over HTTPS); only that address answers. Default: this computer's first IPv4 address`;

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
      'allow-remote': { type: 'boolean' },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
      'keep-tabs': { type: 'string' },
      'companion-address': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  const port = values.port === undefined ? DEFAULT_PORT : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a whole number from 0 to 65535, not "${values.port}"`);
  const host = values.host ?? '127.0.0.1';
  if (!host.trim()) throw new Error('--host must not be empty');
  if ((values['tls-cert'] === undefined) !== (values['tls-key'] === undefined)) throw new Error('--tls-cert and --tls-key go together');
  const keepTabsSec = values['keep-tabs'] === undefined ? DEFAULT_KEEP_TABS_SEC : Number(values['keep-tabs']);
  if (!Number.isFinite(keepTabsSec) || keepTabsSec < 0 || keepTabsSec > 86_400) throw new Error(`--keep-tabs must be a number of seconds from 0 to 86400, not "${values['keep-tabs']}"`);
  const companionAddress = values['companion-address'];
  if (companionAddress !== undefined && isIP(companionAddress) === 0) throw new Error(`--companion-address must be an IP address of this computer, not "${companionAddress}"`);
  return {
    host,
    port,
    dataDir: values['data-dir'] ?? defaultDataDir(defaults.env ?? process.env, defaults.platform ?? process.platform),
    staticDir: values['static-dir'] ?? defaults.staticDir,
    allowRemote: values['allow-remote'] ?? false,
    ...(values['tls-cert'] !== undefined ? { tlsCert: values['tls-cert'], tlsKey: values['tls-key'] } : {}),
    keepTabsSec,
    ...(companionAddress !== undefined ? { companionAddress } : {}),
    help: values.help ?? false,
  };
}
