#!/usr/bin/env node
// A stand-in for VS Code's executable, so that @vscode/test-electron's
// runTests({ vscodeExecutablePath }) (and @vscode/test-cli) run extension tests
// unchanged on machines without a desktop VS Code.
//
// It accepts the executable's arguments (--extensionDevelopmentPath,
// --extensionTestsPath, --user-data-dir, --extensions-dir, a folder; other flags are
// ignored), starts code-server with the smoke-test driver enabled, opens the
// workbench in Chromium with those options in the page's payload, prints every log
// line the workbench forwards (mocha's output included) and exits with the code the
// tests' run() settled with. It always ends code-server's process group and removes
// the folders it made. A run that has not finished after HI_HOST_TIMEOUT_MS
// (default 15 minutes) fails.
//   launcher.mjs --version | --list-extensions | --install-extension <vsix>  (passed to code-server)
import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { format } from 'node:util';

const require = createRequire(import.meta.url);
const host = require('./host.cjs');

const valueFlags = new Set(['extensionDevelopmentPath', 'extensionTestsPath', 'user-data-dir', 'extensions-dir',
  'folder-uri', 'file-uri', 'locale', 'log', 'install-extension', 'uninstall-extension', 'profile', 'inspect-extensions',
  'inspect-brk-extensions', 'extensionEnvironment', 'category', 'sync', 'crash-reporter-directory']);

export function parseArgs(argv) {
  const out = { extensionDevelopmentPath: [], folders: [], ignored: [], cli: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('-')) {
      if (existsSync(a)) out.folders.push(resolve(a)); else out.ignored.push(a);
      continue;
    }
    const m = /^--?([^=]+)(?:=(.*))?$/.exec(a);
    const name = m[1];
    let value = m[2];
    if (value === undefined && valueFlags.has(name) && i + 1 < argv.length) value = argv[++i];
    switch (name) {
      case 'extensionDevelopmentPath': out.extensionDevelopmentPath.push(resolve(value)); break;
      case 'extensionTestsPath': out.extensionTestsPath = resolve(value); break;
      case 'user-data-dir': out.userDataDir = resolve(value); break;
      case 'extensions-dir': out.extensionsDir = resolve(value); break;
      case 'folder-uri': if (value.startsWith('file://')) out.folders.push(new URL(value).pathname); else out.ignored.push(a); break;
      case 'version': case 'v': out.cli.push('--version'); break;
      case 'list-extensions': case 'show-versions': out.cli.push(`--${name}`); break;
      case 'install-extension': case 'uninstall-extension': out.cli.push(`--${name}`, value); break;
      default: out.ignored.push(value === undefined ? a : `${a}`);
    }
  }
  return out;
}

// Workbench chatter that says nothing about the tests (shown with HI_HOST_VERBOSE=1).
const noise = [
  /^Resolv(ing|ed) connection token/, /^Creating a socket/, /^\[reconnection-grace-time\]/, /^\[Service Worker\]/,
  /^Updating additional builtin extensions cache/, /^\[AgentHost/, /^\[AccountPolicyGate\]/,
  /^Canceled(: Canceled)*$/, /ENOTFOUND|ERR_NAME_NOT_RESOLVED|open-vsx\.org|marketplace|update\.code\.visualstudio\.com/,
];

let muted = false;
function print(type, args) {
  if (muted || type === 'trace' || type === 'debug') return;
  // The workbench forwards console calls as (format, ...values), like console.log takes them.
  const text = format(...(Array.isArray(args) ? args : [args]));
  if (process.env.HI_HOST_VERBOSE !== '1' && noise.some((re) => re.test(text.split('\n', 1)[0]))) return;
  const line = text.endsWith('\n') ? text : `${text}\n`;
  if (type === 'error' || type === 'warn' || type === 'warning') process.stderr.write(line); else process.stdout.write(line);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.cli.length) {
    if (opts.cli[0] === '--version') {
      const pkg = JSON.parse(readFileSync(resolve(host.paths.hostDir, 'node_modules/code-server/lib/vscode/package.json'), 'utf8'));
      console.log(`${pkg.version}\ncode-server\nx64`);
      return 0;
    }
    const userDataDir = opts.userDataDir || host.makeTempDir('cli-user-data');
    const extensionsDir = opts.extensionsDir || resolve('.vscode-test/extensions');
    process.stdout.write(host.codeServerCli(opts.cli, { userDataDir, extensionsDir }));
    if (!opts.userDataDir) host.removeDirs([userDataDir]);
    return 0;
  }
  const verbose = process.env.HI_HOST_VERBOSE === '1';
  const say = (msg) => process.stderr.write(`[vscode-host] ${msg}\n`);
  if (opts.ignored.length && verbose) say(`ignoring ${opts.ignored.join(' ')}`);
  const timeoutMs = Number(process.env.HI_HOST_TIMEOUT_MS) || 15 * 60_000;

  let server;
  let browser;
  let cleaning;
  const cleanup = () => (cleaning ??= (async () => {
    if (browser) await browser.close();
    if (server) await server.stop();
  })());
  const onSignal = (signal, code) => { say(`${signal}: stopping`); cleanup().finally(() => process.exit(code)); };
  process.once('SIGINT', () => onSignal('SIGINT', 130));
  process.once('SIGTERM', () => onSignal('SIGTERM', 143));
  process.once('SIGHUP', () => onSignal('SIGHUP', 129));

  try {
    const started = Date.now();
    server = await host.startCodeServer({
      userDataDir: opts.userDataDir,
      extensionsDir: opts.extensionsDir,
      folder: opts.folders[0],
      env: {},
      inheritAws: true,
      log: verbose ? (l) => say(`code-server: ${l}`) : undefined,
    });
    browser = await host.launchBrowser();
    const { page } = browser;
    let settle;
    const outcome = new Promise((r) => { settle = r; });
    await page.exposeFunction('codeAutomationLog', (type, args) => print(type, args));
    await page.exposeFunction('codeAutomationExit', (code) => settle({ code: Number(code) || 0 }));
    page.on('crash', () => settle({ code: 1, why: 'the workbench page crashed' }));
    page.on('close', () => settle({ code: 1, why: 'the workbench page closed' }));
    if (verbose) page.on('console', (m) => say(`page ${m.type()}: ${m.text()}`));
    server.exited.then(({ code, signal }) => settle({ code: 1, why: `code-server exited (${code ?? signal})` }));
    const timer = setTimeout(() => settle({ code: 1, why: `no result after ${timeoutMs / 1000} s` }), timeoutMs);

    const url = host.workbenchUrl(server, {
      folder: opts.folders[0],
      extensionDevelopmentPath: opts.extensionDevelopmentPath,
      extensionTestsPath: opts.extensionTestsPath,
    });
    if (!opts.extensionTestsPath) say(`no --extensionTestsPath: showing ${server.url} until the page closes or the timeout`);
    await page.goto(url);
    const result = await outcome;
    muted = !verbose; // what the workbench says while it is torn down is not the tests' output
    clearTimeout(timer);
    if (result.why) say(`test run failed: ${result.why}`);
    if (verbose) say(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s with ${result.code}`);
    return result.code;
  } catch (e) {
    say(`could not run the tests: ${e.message}`);
    return 1;
  } finally {
    await cleanup();
  }
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('launcher.mjs')) {
  main().then((code) => process.exit(code), (e) => { console.error(e); process.exit(1); });
}
