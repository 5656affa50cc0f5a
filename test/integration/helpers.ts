// Shared set-up of integration tests: a seeded emulator started in this process (persisting to
// a temporary folder so it can be restarted on the same port with the same data), the emulator's
// credential files, the extension's settings pointing at it, and the activated extension.
//   const env = await setUpExtension();   ...   await env.dispose();
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { MedicalImagingClient } from '@aws-sdk/client-medical-imaging';
import {
  EMULATOR_CREDENTIALS, EMULATOR_PROFILE, EMULATOR_REGION, startEmulator, writeEmulatorProfile, type RunningEmulator,
} from 'healthimaging-emulator';
import type { ExtensionTestApi } from '../../src/extension';
import { setAsideEnv } from '../support/environment';

export const EXTENSION_ID = 'healthimaging-tools.healthimaging-metadata-editor';

type SettingKey = 'profile' | 'region' | 'endpoint' | 'pageSize' | 'maxAttributeBytes' | 'confirmForceUpdate' | 'studyWideUpdates' | 'documentLayout';

export interface SetUpOptions {
  /** Load the sample data (default true). */
  seed?: boolean;
  /** Delay of the emulator's LOCKED -> UPDATED step (default 100 ms, to keep tests fast). */
  updateDelayMs?: number;
  /** Extra settings below `healthImaging` (e.g. pageSize), restored by dispose(). */
  settings?: Partial<Record<SettingKey, unknown>>;
}

export interface ExtensionEnv {
  emulator: RunningEmulator;
  api: ExtensionTestApi;
  /** A real SDK client pointed at the emulator, for assertions. */
  client: MedicalImagingClient;
  /** The emulator's persistence folder. */
  dataDir: string;
  /** Stops the emulator (the extension then sees a service that is down). */
  stopEmulator(): Promise<void>;
  /** Starts the emulator again on the same port with the same data. */
  restartEmulator(): Promise<RunningEmulator>;
  /** Changes a setting for the rest of this test file (restored by dispose()). */
  setSetting(key: SettingKey, value: unknown): Promise<void>;
  /** Stops the emulator, closes editors, restores settings, environment and prompts. */
  dispose(): Promise<void>;
}

export { until } from '../support/until';

/**
 * Points the AWS SDK of this process at the emulator's profile files (written into `dir`), with
 * AWS_PROFILE and AWS_REGION unset; returns a function that restores the environment.
 */
export function useEmulatorProfile(dir: string): () => void {
  return setAsideEnv(['AWS_PROFILE', 'AWS_REGION'], { ...writeEmulatorProfile(dir) });
}

export async function setUpExtension(options: SetUpOptions = {}): Promise<ExtensionEnv> {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'hi-it-'));
  const dataDir = path.join(temp, 'emulator-data');
  fs.mkdirSync(dataDir);
  // In the extension host's own process: no flushes to disk, which would stall the extension under test.
  const emulatorOptions = { seed: options.seed ?? true, updateDelayMs: options.updateDelayMs ?? 100, dataDir, fsync: false };
  let emulator = await startEmulator({ port: 0, ...emulatorOptions });
  const port = emulator.port;

  const restoreEnv = useEmulatorProfile(path.join(temp, 'aws'));

  const section = () => vscode.workspace.getConfiguration('healthImaging');
  const changed = new Set<SettingKey>();
  const setSetting = async (key: SettingKey, value: unknown) => {
    changed.add(key);
    await section().update(key, value, vscode.ConfigurationTarget.Global);
  };
  await setSetting('profile', EMULATOR_PROFILE);
  await setSetting('region', EMULATOR_REGION);
  await setSetting('endpoint', emulator.url);
  for (const [key, value] of Object.entries(options.settings ?? {})) {
    await setSetting(key as SettingKey, value);
  }

  const extension = vscode.extensions.getExtension<ExtensionTestApi>(EXTENSION_ID);
  assert.ok(extension, `${EXTENSION_ID} is not installed in the extension host`);
  const api = await extension.activate();
  // the credential files are new for this test file: make the extension build a fresh client
  api.connection.reset();

  const client = new MedicalImagingClient({
    region: EMULATOR_REGION,
    endpoint: emulator.url,
    disableHostPrefix: true,
    credentials: EMULATOR_CREDENTIALS,
  });

  let running = true;
  const env: ExtensionEnv = {
    get emulator() {
      return emulator;
    },
    api,
    client,
    dataDir,
    async stopEmulator() {
      if (running) {
        running = false;
        await emulator.close();
      }
    },
    async restartEmulator() {
      await env.stopEmulator();
      emulator = await startEmulator({ port, ...emulatorOptions, seed: false });
      running = true;
      return emulator;
    },
    setSetting,
    async dispose() {
      api.setPrompts(undefined);
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      client.destroy();
      await env.stopEmulator();
      for (const key of changed) {
        await section().update(key, undefined, vscode.ConfigurationTarget.Global);
      }
      restoreEnv();
      fs.rmSync(temp, { recursive: true, force: true });
    },
  };
  return env;
}
