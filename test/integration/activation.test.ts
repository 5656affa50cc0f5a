// The extension as VS Code sees it: installed from this folder, lazy (never `*`),
// activated by its view, contributing its commands, and silent on the network until
// something is shown. Runs first (file order is sorted), so the extension has not
// been activated by another test yet.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { EMULATOR_PROFILE, EMULATOR_REGION, startEmulator, type RunningEmulator } from 'healthimaging-emulator';
import { EXTENSION_ID, until, useEmulatorProfile } from './helpers';

interface Manifest {
  activationEvents?: string[];
  main?: string;
  contributes?: {
    commands?: { command: string; title: string; category?: string }[];
    viewsContainers?: { activitybar?: { id: string; title: string; icon: string }[] };
    views?: Record<string, { id: string; name: string }[]>;
  };
}

describe('activation', () => {
  let extension: vscode.Extension<unknown>;
  let manifest: Manifest;
  let emulator: RunningEmulator;
  const requests: string[] = [];
  let temp: string;
  let restoreEnv: (() => void) | undefined;
  const settings = ['profile', 'region', 'endpoint'] as const;

  before(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is not installed in the extension host`);
    extension = found;
    manifest = extension.packageJSON as Manifest;

    // A real emulator (no seed: an empty account) whose request log tells what the extension sent.
    emulator = await startEmulator({ port: 0, seed: false, log: (line) => requests.push(line) });
    temp = fs.mkdtempSync(path.join(os.tmpdir(), 'hi-activation-'));
    restoreEnv = useEmulatorProfile(temp);
    const section = vscode.workspace.getConfiguration('healthImaging');
    await section.update('profile', EMULATOR_PROFILE, vscode.ConfigurationTarget.Global);
    await section.update('region', EMULATOR_REGION, vscode.ConfigurationTarget.Global);
    await section.update('endpoint', emulator.url, vscode.ConfigurationTarget.Global);
  });

  after(async () => {
    const section = vscode.workspace.getConfiguration('healthImaging');
    for (const key of settings) await section.update(key, undefined, vscode.ConfigurationTarget.Global);
    restoreEnv?.();
    await emulator?.close();
    if (temp) fs.rmSync(temp, { recursive: true, force: true });
  });

  it('is installed, lazy, and not active before anything asks for it', () => {
    const events = manifest.activationEvents ?? [];
    assert.ok(!events.includes('*'), 'activationEvents must not contain "*"');
    assert.ok(!events.includes('onStartupFinished'), 'the extension must not activate on start-up');
    assert.equal(manifest.main, './dist/extension.js');
    assert.equal(extension.isActive, false, 'nothing has used the extension yet, so it must not be active');
  });

  it('honours the settings written for this window (endpoint is a machine setting)', () => {
    const section = vscode.workspace.getConfiguration('healthImaging');
    assert.equal(section.get('endpoint'), emulator.url);
    assert.equal(section.get('profile'), 'healthimaging-emulator');
    assert.equal(section.get('region'), 'us-east-1');
  });

  it('contributes an activity-bar container with a view, and commands in the HealthImaging category', () => {
    const containers = manifest.contributes?.viewsContainers?.activitybar ?? [];
    const container = containers.find((c) => c.title === 'HealthImaging');
    assert.ok(container, 'an activity-bar container titled "HealthImaging"');
    assert.ok((manifest.contributes?.views?.[container.id] ?? []).length > 0, `views in container ${container.id}`);
    const commands = manifest.contributes?.commands ?? [];
    assert.ok(commands.length > 0, 'contributes commands');
    for (const c of commands) {
      assert.match(c.command, /^healthImaging\.[a-z][A-Za-z]+$/, `command id ${c.command}`);
      assert.equal(c.category, 'HealthImaging', `category of ${c.command}`);
    }
  });

  it('activates on one of its commands, registers every contributed command, and sends no request', async () => {
    const showLog = (manifest.contributes?.commands ?? []).find((c) => c.command === 'healthImaging.showLog');
    assert.ok(showLog, 'contributes healthImaging.showLog');
    // Running a contributed command is an activation event (onCommand:), like clicking the view.
    await vscode.commands.executeCommand(showLog.command);
    assert.equal(extension.isActive, true, 'running its command activated the extension');
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = (manifest.contributes?.commands ?? []).map((c) => c.command).filter((c) => !registered.has(c));
    assert.deepEqual(missing, [], 'every contributed command is registered after activation');
    // Let anything activation started without awaiting reach the emulator, then look.
    await new Promise((r) => setTimeout(r, 750));
    assert.deepEqual(requests, [], 'no request reached the service during or right after activation');
  });

  it('sends its first request when the view is shown (so the silence above was not for want of a route)', async () => {
    const container = (manifest.contributes?.viewsContainers?.activitybar ?? []).find((c) => c.title === 'HealthImaging');
    assert.ok(container);
    await vscode.commands.executeCommand(`workbench.view.extension.${container.id}`);
    await until('a ListDatastores request from the view', () => requests.some((l) => l.startsWith('ListDatastores 200')));
  });
});
