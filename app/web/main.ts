// `npm run web`: the web host as a program. Prints one line with the URL (tests parse it), then serves until
// SIGINT or SIGTERM, when it closes the server and disposes core (which closes every SSH connection).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { installProcessGuards } from '../core/processGuards';
import { createWebCore } from '../core/service';
import { exposureWarning, parseCli, USAGE } from './cli';
import { startWebHost } from './server';

function packageVersion(): string {
  try {
    // The bundle lives in out/web/, package.json two levels up.
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

async function main(): Promise<void> {
  installProcessGuards(process, (message) => console.error(message), 'holdfast-web');
  let options;
  try {
    options = parseCli(process.argv.slice(2), { staticDir: fileURLToPath(new URL('../renderer', import.meta.url)) });
  } catch (err) {
    console.error(`holdfast-web: ${err instanceof Error ? err.message : String(err)}\n\n${USAGE}`);
    process.exit(2);
  }
  if (options.help) {
    console.log(USAGE);
    return;
  }
  const warning = exposureWarning(options.host);
  if (warning) console.error(warning);

  const core = createWebCore({ dataDir: options.dataDir, version: packageVersion() });
  let host;
  try {
    host = await startWebHost({ core, staticDir: options.staticDir, host: options.host, port: options.port });
  } catch (err) {
    core.dispose();
    console.error(`holdfast-web: cannot listen on ${options.host}:${options.port}: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
  console.log(`Holdfast web host: ${host.url}`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second Ctrl-C means now.
      process.exit(130);
    }
    stopping = true;
    console.error(`holdfast-web: ${signal}, shutting down`);
    void host.close().finally(() => {
      core.dispose();
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
