// `npm run web`: the web host as a program. Prints one line with the URL (tests parse it), then serves until
// SIGINT or SIGTERM, when it closes the server and disposes core (which closes every SSH connection).
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { installProcessGuards } from '../core/processGuards';
import { createWebCore } from '../core/service';
import { readFileSync as readFile } from 'node:fs';
import { join } from 'node:path';
import { parseCli, USAGE } from './cli';
import { WebCompanion } from './companion';
import { DeviceRegistry } from './devices';
import { decideExposure, isLoopbackHost } from './exposure';
import { startWebHost } from './server';
import { loadOrCreateCertificate } from './tls';

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
  const exposure = decideExposure(options.host, { allowRemote: options.allowRemote, userTls: options.tlsCert !== undefined });
  if (!exposure.ok) {
    console.error(`holdfast-web: ${exposure.error}`);
    process.exit(2);
  }
  if (exposure.note) console.error(`holdfast-web: ${exposure.note}`);
  let tls: { cert: string; key: string } | undefined;
  try {
    if (exposure.tls === 'user') tls = { cert: readFile(options.tlsCert!, 'utf8'), key: readFile(options.tlsKey!, 'utf8') };
    else if (exposure.tls === 'generated') {
      const material = await loadOrCreateCertificate(join(options.dataDir, 'tls'), [options.host]);
      tls = material;
      console.error(
        `holdfast-web: HTTPS with ${material.created ? 'a new' : 'its'} self-signed certificate (kept in ${join(options.dataDir, 'tls')}). ` +
          `Its SHA-256 fingerprint is ${material.fingerprint}: check that your browser shows the same before you trust it.`,
      );
    }
  } catch (err) {
    console.error(`holdfast-web: cannot set up TLS: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }

  const devices = new DeviceRegistry({ file: join(options.dataDir, 'devices.json'), onNotice: (message) => console.error(`holdfast-web: ${message}`) });
  const companion = new WebCompanion({ devices, staticDir: options.staticDir, dataDir: options.dataDir, ...(options.companionAddress ? { lanAddress: options.companionAddress } : {}) });
  const core = createWebCore({ dataDir: options.dataDir, version: packageVersion(), viewGraceMs: options.keepTabsSec * 1000, companion });
  companion.setCore(core);
  let host;
  try {
    host = await startWebHost({ core, staticDir: options.staticDir, host: options.host, port: options.port, tls, devices });
    if (isLoopbackHost(options.host)) companion.setLoopback(host);
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
    void Promise.all([host.close(), companion.close()]).finally(() => {
      core.dispose();
      process.exit(0);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
