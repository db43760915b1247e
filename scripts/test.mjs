#!/usr/bin/env node
// `npm test`: every test — unit, integration (real sshd + tmux), end to end (real UI in Chromium through the
// web host) — and one closing line "N passed, N failed". It installs the system packages the tests talk to
// when it can (root with apt-get), and builds the app for the end-to-end tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const root = new URL('..', import.meta.url).pathname;
process.chdir(root);
mkdirSync('.tmp', { recursive: true });

const needed = [
  ['/usr/sbin/sshd', 'openssh-server'],
  ['/usr/bin/ssh', 'openssh-client'],
  ['/usr/bin/tmux', 'tmux'],
  ['/usr/bin/chromium', 'chromium'],
  ['/usr/sbin/nft', 'nftables'],
  ['/usr/sbin/ip', 'iproute2'],
  ['/usr/bin/ssh-agent', 'openssh-client'],
  ['/usr/bin/fish', 'fish'],
  // The control-mode screen tests draw vim and less both ways.
  ['/usr/bin/vim.basic', 'vim'],
  ['/usr/bin/less', 'less'],
  // Rescue moves a running program into tmux with reptyr.
  ['/usr/bin/reptyr', 'reptyr'],
];
let missing = [...new Set(needed.filter(([bin]) => !existsSync(bin)).map(([, pkg]) => pkg))];
if (missing.length && process.getuid?.() === 0 && existsSync('/usr/bin/apt-get')) {
  console.log(`test: installing ${missing.join(' ')} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  missing = [...new Set(needed.filter(([bin]) => !existsSync(bin)).map(([, pkg]) => pkg))];
}
if (missing.length) {
  console.error(`test: these packages are needed and could not be installed: ${missing.join(' ')}\n  apt-get install ${missing.join(' ')}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
const npx = (args, env = {}) => spawnSync('npx', args, { stdio: 'inherit', env: { ...process.env, CI: 'true', ...env } });

const totals = { passed: 0, failed: 0, skipped: 0 };
const lines = [];
/** The full name of every failed test, printed above the closing line, so a red run names what to look at. */
const failures = [];

function vitest(project) {
  const out = `.tmp/${project}.json`;
  rmSync(out, { force: true });
  const result = npx(['vitest', 'run', '--project', project, '--reporter=default', '--reporter=json', `--outputFile.json=${out}`]);
  if (!existsSync(out)) {
    totals.failed++;
    lines.push(`${project}: the runner did not finish (exit ${result.status})`);
    return;
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const passed = report.numPassedTests ?? 0;
  for (const file of report.testResults ?? []) {
    const path = (file.name ?? '').replace(`${root}`, '');
    if (file.status === 'failed' && (file.assertionResults ?? []).length === 0) failures.push(`${project}: ${path}: the file failed to load (${(file.message ?? '').split('\n')[0]})`);
    for (const test of file.assertionResults ?? []) {
      if (test.status === 'failed') failures.push(`${project}: ${path} > ${test.fullName ?? [...(test.ancestorTitles ?? []), test.title].join(' > ')}`);
    }
  }
  // A suite that failed to load counts as a failure even though none of its tests ran.
  const failedSuites = (report.testResults ?? []).filter((r) => r.status === 'failed' && (r.assertionResults ?? []).length === 0).length;
  const failed = (report.numFailedTests ?? 0) + failedSuites;
  const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
  totals.passed += passed;
  totals.failed += failed + (result.status !== 0 && failed === 0 ? 1 : 0);
  totals.skipped += skipped;
  lines.push(`${project}: ${passed} passed, ${failed} failed, ${skipped} skipped`);
}

function e2e() {
  if (!existsSync('out/renderer/index.html') || !existsSync('out/web/main.js') || process.env.HOLDFAST_REBUILD !== '0') {
    const build = spawnSync('npm', ['run', 'build'], { stdio: 'inherit' });
    if (build.status !== 0) {
      totals.failed++;
      lines.push('e2e: the build failed');
      return;
    }
  }
  const out = '.tmp/e2e.json';
  rmSync(out, { force: true });
  const result = npx(['playwright', 'test']);
  if (!existsSync(out)) {
    totals.failed++;
    lines.push(`e2e: the runner did not finish (exit ${result.status})`);
    return;
  }
  const report = JSON.parse(readFileSync(out, 'utf8'));
  const stats = report.stats ?? {};
  const walk = (suite, titles) => {
    for (const spec of suite.specs ?? []) {
      for (const test of spec.tests ?? []) {
        if (test.status === 'unexpected') failures.push(`e2e: ${spec.file ?? suite.file ?? ''} > ${[...titles, spec.title].filter(Boolean).join(' > ')}`);
      }
    }
    for (const child of suite.suites ?? []) walk(child, [...titles, child.title === child.file ? '' : child.title]);
  };
  for (const suite of report.suites ?? []) walk(suite, []);
  const passed = (stats.expected ?? 0) + (stats.flaky ?? 0);
  const failed = stats.unexpected ?? 0;
  const skipped = stats.skipped ?? 0;
  totals.passed += passed;
  totals.failed += failed + (result.status !== 0 && failed === 0 ? 1 : 0);
  totals.skipped += skipped;
  lines.push(`e2e: ${passed} passed, ${failed} failed, ${skipped} skipped`);
}

if (want('unit')) vitest('unit');
if (want('integration')) vitest('integration');
if (want('e2e')) e2e();

console.log('\n' + lines.join('\n'));
if (failures.length) console.log(`\nFailed:\n${failures.map((f) => `  ${f}`).join('\n')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed ? 1 : 0);
