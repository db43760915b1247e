// `npm run web`: the web host as a program. Prints one line with the URL (tests parse it), then serves until
// SIGINT or SIGTERM, when it closes the server and disposes core (which closes every SSH connection).
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { fileURLToPath } from 'node:url';
import { installProcessGuards } from '../core/processGuards';
import { createWebCore } from '../core/compose';
import { readFileSync as readFile } from 'node:fs';
import { join } from 'node:path';
import { parseCli, USAGE } from './cli';
import { WebCompanion } from './companion';
import { DeviceRegistry } from './devices';
import { decideExposure, isLoopbackHost } from './exposure';
import { startWebHost, type WebHost } from './server';
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
    host = await listen(options.port, (port) => startWebHost({ core, staticDir: options.staticDir, host: options.host, port, tls, devices }), options.host, tls !== undefined);
    if (isLoopbackHost(options.host)) companion.setLoopback(host);
  } catch (err) {
    core.dispose();
    console.error(`holdfast-web: ${err instanceof Error ? err.message : String(err)}`);
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

/** Ports tried after the one asked for when another program has it. */
const NEXT_PORTS = 20;

/**
 * Listens on `port`. Taken by a Holdfast already: says so and where (a second one on the same data would fight over
 * its files). Taken by another program: the next free port, said aloud.
 */
async function listen(port: number, start: (port: number) => Promise<WebHost>, host: string, tls: boolean): Promise<WebHost> {
  try {
    return await start(port);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || port === 0) throw new Error(`cannot listen on ${host}:${port}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const where = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${port}/`;
  if (await isHoldfast(where)) {
    throw new Error(`Holdfast is already running at ${where} — open the address it printed when it started (it carries its token), or stop it first. To run another one beside it, give it its own --port and --data-dir.`);
  }
  for (let next = port + 1; next <= Math.min(65535, port + NEXT_PORTS); next++) {
    try {
      const found = await start(next);
      console.error(`holdfast-web: port ${port} is taken by another program; listening on ${next} instead.`);
      return found;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    }
  }
  throw new Error(`ports ${port}–${port + NEXT_PORTS} on ${host} are all taken; choose one with --port (0 picks any free one).`);
}

/** Whether a Holdfast web host answers at `url` (its refusal without a token names it). */
function isHoldfast(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    // Its own certificate may be self-signed: only its words are looked at, nothing is sent.
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, { headers: { Accept: 'text/plain' }, timeout: 2000, rejectUnauthorized: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        if (body.length < 4096) body += chunk;
      });
      res.on('end', () => resolve(/Holdfast web host/.test(body)));
      res.on('error', () => resolve(false));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

void main();
