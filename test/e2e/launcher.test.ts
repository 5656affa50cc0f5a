// The test host itself: tools/vscode-host/launcher.mjs must turn the outcome of an
// extension's tests into its exit code (or every integration run would be green),
// pass the environment through to the extension host, honour --user-data-dir, and
// leave no process or temporary folder behind.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { repoRoot } from '../../tools/vscode-host/driver';

const launcher = path.join(repoRoot, 'tools', 'vscode-host', 'launcher.mjs');

interface Run { code: number | null; stdout: string; stderr: string }

function runLauncher(args: string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HI_TEST_'))) as Record<string, string>;
    const child = spawn(process.execPath, [launcher, ...args], { env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Processes whose command line mentions `text` (from /proc). */
function processesMentioning(text: string): string[] {
  const found: string[] = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(text)) found.push(`${pid}: ${cmd.slice(0, 120)}`);
    } catch { /* exited meanwhile */ }
  }
  return found;
}

describe('the VS Code test host launcher', function () {
  this.timeout(180_000);
  let temp: string;
  let extension: string;
  let tmpdir: string;

  before(() => {
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'hi-lt-'));
    // A minimal extension and three "test suites": one passing, one failing, one hanging on nothing.
    extension = path.join(temp, 'extension');
    fs.mkdirSync(extension);
    fs.writeFileSync(path.join(extension, 'package.json'), JSON.stringify({
      name: 'launcher-probe', publisher: 'probe', version: '0.0.1', engines: { vscode: '^1.90.0' }, main: './extension.js',
    }));
    fs.writeFileSync(path.join(extension, 'extension.js'), 'exports.activate = () => {};\n');
    fs.writeFileSync(path.join(extension, 'pass.js'), [
      "exports.run = async () => {",
      "  const vscode = require('vscode');",
      "  console.log('probe: VS Code ' + vscode.version + ', ' + process.env.PROBE_VALUE + ', remote ' + vscode.env.remoteName);",
      "};",
    ].join('\n'));
    fs.writeFileSync(path.join(extension, 'fail.js'), "exports.run = async () => { throw new Error('probe: deliberate failure'); };\n");
    // Every temporary folder the launcher makes lands here (os.tmpdir() follows TMPDIR).
    tmpdir = path.join(temp, 'tmp');
    fs.mkdirSync(tmpdir);
  });

  after(() => {
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  afterEach(() => {
    assert.deepEqual(processesMentioning(tmpdir), [], 'no process of the run is left');
    assert.deepEqual(fs.readdirSync(tmpdir), [], 'no temporary folder of the run is left');
  });

  it('exits 0 when the tests pass, with their output and the environment it was given', async () => {
    const userDataDir = path.join(temp, 'user-data');
    const run = await runLauncher([
      '--no-sandbox', '--disable-gpu-sandbox', '--disable-updates', '--skip-welcome', '--locale', 'en',
      `--extensionDevelopmentPath=${extension}`, `--extensionTestsPath=${path.join(extension, 'pass.js')}`,
      `--user-data-dir=${userDataDir}`, '--extensions-dir', path.join(temp, 'extensions'),
    ], { TMPDIR: tmpdir, PROBE_VALUE: 'env-reached-the-extension-host' });
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /probe: VS Code 1\.139\.\d+, env-reached-the-extension-host, remote /);
    // The given user-data folder was used (and kept: it is the caller's).
    assert.ok(fs.existsSync(path.join(userDataDir, 'User', 'settings.json')), 'settings written into --user-data-dir');
  });

  it('exits 1 when a test fails, and shows the failure', async () => {
    const run = await runLauncher([`--extensionDevelopmentPath=${extension}`, `--extensionTestsPath=${path.join(extension, 'fail.js')}`],
      { TMPDIR: tmpdir });
    assert.equal(run.code, 1);
    assert.match(run.stdout + run.stderr, /probe: deliberate failure/);
  });

  it('exits 1 when the tests file does not exist', async () => {
    const run = await runLauncher([`--extensionDevelopmentPath=${extension}`, `--extensionTestsPath=${path.join(extension, 'missing.js')}`],
      { TMPDIR: tmpdir });
    assert.equal(run.code, 1);
  });
});
