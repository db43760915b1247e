// `npm start`: the desktop app where an Electron binary is installed; otherwise the web host, with one line
// saying why. (The electron package's own `require('electron')` would try to download the binary when it is
// missing, so its path is read from the package's path.txt instead.)
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, root, runForeground, runWebHost } from './web.mjs';

/** The Electron executable, or undefined with the reason it is not there. */
export function findElectron() {
  const pkg = join(root, 'node_modules/electron');
  const pathFile = join(pkg, 'path.txt');
  const relative = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (!relative && !override) return { reason: 'node_modules/electron has no path.txt (its binary was never downloaded)' };
  const binary = override ? join(override, relative || 'electron') : join(pkg, 'dist', relative);
  return existsSync(binary) ? { binary } : { reason: `${binary} does not exist` };
}

const args = process.argv.slice(2);
const electron = findElectron();
if (electron.binary) {
  ensureBuilt();
  runForeground(electron.binary, [root, ...args]);
} else {
  console.log(`No Electron binary is installed here (${electron.reason}); starting the web host instead (npm run web).`);
  runWebHost(args);
}
