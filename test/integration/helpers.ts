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
import { startEmulator, type RunningEmulator } from 'healthimaging-emulator';
import type { ExtensionTestApi } from '../../src/extension';

export const EXTENSION_ID = 'healthimaging-tools.healthimaging-metadata-editor';
export const EMULATOR_PROFILE = 'healthimaging-emulator';
export const EMULATOR_REGION = 'us-east-1';
export const EMULATOR_ACCESS_KEY = 'AKIAEMULATOREXAMPLE';
export const EMULATOR_SECRET_KEY = 'emulator-secret';

type SettingKey = 'profile' | 'region' | 'endpoint' | 'pageSize' | 'maxAttributeBytes' | 'confirmForceUpdate' | 'studyWideUpdates';

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

/** Writes the emulator's AWS config and credentials files into `dir`; returns their paths. */
export function writeEmulatorCredentials(dir: string): { configFile: string; credentialsFile: string } {
  const configFile = path.join(dir, 'config');
  const credentialsFile = path.join(dir, 'credentials');
  fs.writeFileSync(configFile, `[profile ${EMULATOR_PROFILE}]\nregion = ${EMULATOR_REGION}\n`);
  fs.writeFileSync(credentialsFile,
    `[${EMULATOR_PROFILE}]\naws_access_key_id = ${EMULATOR_ACCESS_KEY}\naws_secret_access_key = ${EMULATOR_SECRET_KEY}\n`);
  return { configFile, credentialsFile };
}

export async function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`gave up waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function setUpExtension(options: SetUpOptions = {}): Promise<ExtensionEnv> {
  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'hi-it-'));
  const dataDir = path.join(temp, 'emulator-data');
  fs.mkdirSync(dataDir);
  const emulatorOptions = { seed: options.seed ?? true, updateDelayMs: options.updateDelayMs ?? 100, dataDir };
  let emulator = await startEmulator({ port: 0, ...emulatorOptions });
  const port = emulator.port;

  const { configFile, credentialsFile } = writeEmulatorCredentials(temp);
  const savedEnv: Record<string, string | undefined> = {};
  for (const key of ['AWS_CONFIG_FILE', 'AWS_SHARED_CREDENTIALS_FILE', 'AWS_PROFILE', 'AWS_REGION']) {
    savedEnv[key] = process.env[key];
  }
  process.env.AWS_CONFIG_FILE = configFile;
  process.env.AWS_SHARED_CREDENTIALS_FILE = credentialsFile;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_REGION;

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
    credentials: { accessKeyId: EMULATOR_ACCESS_KEY, secretAccessKey: EMULATOR_SECRET_KEY },
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
      for (const [key, value] of Object.entries(savedEnv)) {
        if (value === undefined) {
          delete process.env[key];
        } else {
          process.env[key] = value;
        }
      }
      fs.rmSync(temp, { recursive: true, force: true });
    },
  };
  return env;
}
