// `npm start`: the extension in a real VS Code (code-server, VS Code 1.139.1) against the
// local HealthImaging emulator with sample data, from a fresh clone:
//   1. installs what is missing (npm packages; Chromium, Node 24 and code-server for the host),
//   2. builds the production bundle and the .vsix (npm run package),
//   3. starts the emulator with --seed on a free port (data in a temporary folder, or --data),
//   4. installs the .vsix into a fresh code-server whose settings point the extension at the
//      emulator (profile healthimaging-emulator, region us-east-1, endpoint = the emulator),
//   5. prints "Open http://127.0.0.1:<port>". Ctrl+C (or SIGTERM) stops everything it started.
// Options (after `npm start --`):
//   --port <n>            code-server's port (default: a free one)
//   --emulator-port <n>   the emulator's port (default: a free one)
//   --data <folder>       keep the emulator's data there, across runs (default: a temporary folder)
//   --folder <folder>     the folder to open in the workbench (default: an empty temporary one)
//   --skip-install        trust what is installed
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ensureNodeModules, root, run } from './bootstrap.mjs';
import { emulatorModule } from './emulator-build.mjs';
import { packageExtension } from './package.mjs';

const require = createRequire(import.meta.url);
const say = (msg) => console.log(`[start] ${msg}`);

let options;
try {
  ({ values: options } = parseArgs({
    options: {
      port: { type: 'string' }, 'emulator-port': { type: 'string' }, data: { type: 'string' }, folder: { type: 'string' },
      'skip-install': { type: 'boolean' },
    },
  }));
} catch (e) {
  console.error(`[start] ${e.message}\nUsage: npm start -- [--port <n>] [--emulator-port <n>] [--data <folder>] [--folder <folder>] [--skip-install]`);
  process.exit(2);
}

function portOption(name) {
  const value = options[name];
  if (value === undefined) return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`--${name} must be a port number (1-65535), got "${value}"`);
  return port;
}

/** Starts the emulator CLI in its own process group; resolves with its url once it listens. */
function startEmulator({ port, dataDir }) {
  const child = spawn(process.execPath, [join(root, 'scripts', 'emulator.mjs'), '--port', String(port), '--data', dataDir, '--seed'], {
    cwd: root, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env },
  });
  const stop = async () => {
    try { process.kill(-child.pid, 'SIGTERM'); } catch { return; }
    for (let i = 0; i < 50; i++) {
      try { process.kill(-child.pid, 0); } catch { return; }
      await new Promise((r) => setTimeout(r, 100));
    }
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  };
  const url = new Promise((resolveUrl, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`the emulator did not start within 180 s:\n${seen}`)), 180_000);
    const onData = (chunk) => {
      const text = chunk.toString();
      seen += text;
      for (const line of text.split('\n')) if (line.trim()) console.log(`[emulator] ${line}`);
      const m = /HealthImaging emulator listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(seen);
      if (m) { clearTimeout(timer); resolveUrl(m[1]); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code, signal) => { clearTimeout(timer); reject(new Error(`the emulator exited (${code ?? signal}) before listening`)); });
  });
  return { child, url, stop };
}

async function main() {
  const skipInstall = options['skip-install'] === true;
  const port = portOption('port');
  const emulatorPort = portOption('emulator-port');
  if (!skipInstall) {
    ensureNodeModules();
    if (run('node', [join('tools', 'vscode-host', 'install.mjs')]) !== 0) throw new Error('installing the VS Code host failed');
  }
  const host = require('../tools/vscode-host/host.cjs');
  host.assertInstalled();

  say('building the extension');
  const vsix = packageExtension();

  const temp = mkdtempSync(join(tmpdir(), 'hi-start-'));
  const dataOption = options.data;
  const dataDir = dataOption ? resolve(dataOption) : join(temp, 'emulator-data');
  mkdirSync(dataDir, { recursive: true });
  const folderOption = options.folder;
  const folder = folderOption ? resolve(folderOption) : join(temp, 'workspace');
  if (folderOption && !existsSync(folder)) throw new Error(`--folder ${folderOption}: no such folder`);
  mkdirSync(folder, { recursive: true });

  const started = [];
  let stopping;
  const stopAll = (code) => (stopping ??= (async () => {
    for (const stop of started.splice(0).reverse()) {
      try { await stop(); } catch (e) { console.error(`[start] while stopping: ${e.message}`); }
    }
    rmSync(temp, { recursive: true, force: true });
    process.exit(code);
  })());
  process.on('SIGINT', () => { console.log(''); say('stopping'); stopAll(0); });
  process.on('SIGTERM', () => { say('stopping'); stopAll(0); });
  process.on('SIGHUP', () => stopAll(0));

  try {
    const emulator = startEmulator({ port: emulatorPort, dataDir });
    started.push(emulator.stop);
    const emulatorUrl = await emulator.url;
    emulator.child.once('exit', (code, signal) => {
      if (stopping) return;
      console.error(`[start] the emulator exited (${code ?? signal}); stopping`);
      stopAll(1);
    });

    const userDataDir = join(temp, 'user-data');
    const extensionsDir = join(temp, 'extensions');
    mkdirSync(extensionsDir, { recursive: true });
    // The emulator CLI built the package before it listened.
    const { EMULATOR_PROFILE, EMULATOR_REGION, writeEmulatorProfile } = require(emulatorModule('profile'));
    const awsEnv = writeEmulatorProfile(join(temp, 'aws'));
    // code-server shows a remote window: the machine-scoped endpoint setting is honoured only in
    // the remote ("Machine") settings, so the extension's settings go there.
    host.writeMachineSettings(userDataDir, host.emulatorSettings(emulatorUrl, { profile: EMULATOR_PROFILE, region: EMULATOR_REGION }));
    host.installExtension(vsix, { userDataDir, extensionsDir });

    const server = await host.startCodeServer({
      userDataDir, extensionsDir, folder, port, env: awsEnv, smokeTestDriver: false,
      // VS Code for the web saves automatically by default; every save of image-set metadata is a new
      // version, so the extension declines auto saves. Off here, saving is Ctrl+S as with a local file.
      settings: { 'workbench.startupEditor': 'none', 'files.autoSave': 'off' },
    });
    started.push(() => server.stop());
    server.exited.then(({ code, signal }) => {
      if (stopping) return;
      console.error(`[start] code-server exited (${code ?? signal}); stopping`);
      stopAll(1);
    });
    say(`emulator: ${emulatorUrl} (data: ${dataOption ? dataDir : 'temporary'}); AWS profile ${EMULATOR_PROFILE}`);
    say('VS Code (code-server 4.139.1) with the extension installed from ' + vsix.slice(root.length + 1));
    console.log(`\nOpen ${server.url}\n`);
    say('press Ctrl+C to stop everything');
  } catch (e) {
    console.error(`[start] ${e.message}`);
    const busy = /EADDRINUSE[^\n]*:(\d+)/.exec(e.message);
    if (busy) console.error(`[start] port ${busy[1]} is taken: choose another with --port / --emulator-port, or leave them out for free ones`);
    await stopAll(1);
  }
}

main().catch((e) => {
  console.error(`[start] ${e.message}`);
  process.exit(1);
});
