// End-to-end driver: a seeded emulator, the AWS credential files for it, code-server
// with the extension installed (from the built .vsix, or this folder in development
// mode) and settings pointing at the emulator, and Chromium showing the workbench,
// driven by playwright-core. Tests get a `page` and a few helpers; dispose() ends it
// all and removes every temporary folder.
//
//   const e2e = await startE2E({ vsix });
//   try { await e2e.waitForWorkbench(); await e2e.runCommand('HealthImaging: Refresh'); ... }
//   finally { await e2e.dispose(); }
//
// Compiled by the root tsconfig (imported from test/e2e); the Playwright types used
// are declared below so that type-checking does not need this folder's node_modules.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EMULATOR_PROFILE, EMULATOR_REGION, startEmulator, writeEmulatorProfile, type RunningEmulator } from 'healthimaging-emulator';

/** The subset of playwright-core's Locator the tests use. */
export interface Locator {
  click(options?: { timeout?: number; button?: 'left' | 'right' | 'middle'; clickCount?: number }): Promise<void>;
  dblclick(options?: { timeout?: number }): Promise<void>;
  hover(options?: { timeout?: number }): Promise<void>;
  waitFor(options?: { state?: 'attached' | 'detached' | 'visible' | 'hidden'; timeout?: number }): Promise<void>;
  first(): Locator;
  last(): Locator;
  nth(index: number): Locator;
  locator(selector: string): Locator;
  filter(options: { hasText?: string | RegExp; hasNotText?: string | RegExp }): Locator;
  count(): Promise<number>;
  isVisible(): Promise<boolean>;
  textContent(options?: { timeout?: number }): Promise<string | null>;
  innerText(options?: { timeout?: number }): Promise<string>;
  getAttribute(name: string, options?: { timeout?: number }): Promise<string | null>;
  allInnerTexts(): Promise<string[]>;
  screenshot(options?: { path?: string }): Promise<Buffer>;
  boundingBox(): Promise<{ x: number; y: number; width: number; height: number } | null>;
  evaluate<R, A>(fn: (element: any, arg: A) => R, arg: A): Promise<R>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** Runs `fn` in the page on every matching element (DOM elements, typed here by what the tests read). */
  evaluateAll<R>(fn: (elements: { className: string; textContent: string | null }[]) => R): Promise<R>;
}

/** The subset of playwright-core's Frame the tests use (a webview's content is a frame of the page). */
export interface Frame {
  url(): string;
  locator(selector: string): Locator;
  evaluate<R, A>(fn: (arg: A) => R, arg: A): Promise<R>;
}

/** The subset of playwright-core's Page the tests use. */
export interface Page {
  goto(url: string, options?: { timeout?: number }): Promise<unknown>;
  locator(selector: string): Locator;
  keyboard: {
    press(key: string, options?: { delay?: number }): Promise<void>;
    type(text: string, options?: { delay?: number }): Promise<void>;
  };
  mouse: {
    click(x: number, y: number): Promise<void>;
    move(x: number, y: number, options?: { steps?: number }): Promise<void>;
    down(): Promise<void>;
    up(): Promise<void>;
  };
  frames(): Frame[];
  screenshot(options?: { path?: string; fullPage?: boolean }): Promise<Buffer>;
  waitForTimeout(ms: number): Promise<void>;
  waitForFunction(fn: string, arg?: unknown, options?: { timeout?: number }): Promise<unknown>;
  evaluate<R>(fn: string | (() => R)): Promise<R>;
  title(): Promise<string>;
  url(): string;
  on(event: 'console', listener: (message: { type(): string; text(): string }) => void): void;
  on(event: 'pageerror', listener: (error: Error) => void): void;
}

interface HostModule {
  paths: { repoRoot: string; screenshots: string };
  quietSettings: Record<string, unknown>;
  makeTempDir(prefix: string): string;
  removeDirs(dirs: string[]): void;
  writeUserSettings(userDataDir: string, settings: Record<string, unknown>): string;
  writeMachineSettings(userDataDir: string, settings: Record<string, unknown>): string;
  emulatorSettings(url: string, profile: { profile: string; region: string }): Record<string, unknown>;
  installExtension(vsix: string, dirs: { userDataDir: string; extensionsDir: string }): string;
  startCodeServer(options: {
    userDataDir?: string; extensionsDir?: string; folder?: string; env?: Record<string, string>;
    settings?: Record<string, unknown>; smokeTestDriver?: boolean; log?: (line: string) => void;
  }): Promise<CodeServer>;
  workbenchUrl(server: CodeServer, options: { folder?: string; extensionDevelopmentPath?: string | string[] }): string;
  launchBrowser(options?: { viewport?: { width: number; height: number } }): Promise<{ page: Page; close(): Promise<void> }>;
}

export interface CodeServer { url: string; port: number; pid: number; userDataDir: string; extensionsDir: string; stop(): Promise<void> }

export interface E2EOptions {
  /** The .vsix to install; without it the extension runs from the repository (development mode). */
  vsix?: string;
  /** Seed the emulator with the sample data (default true). */
  seed?: boolean;
  updateDelayMs?: number;
  /** Extra user settings. */
  settings?: Record<string, unknown>;
  /** Remote ("Machine") settings over the emulator's (profile, region, endpoint); '' leaves one unset. */
  machineSettings?: Record<string, unknown>;
  viewport?: { width: number; height: number };
}

export interface E2ESession {
  page: Page;
  emulator: RunningEmulator;
  codeServer: CodeServer;
  /** The folder open in the workbench. */
  workspace: string;
  /** AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE of the emulator's profile. */
  awsEnv: Record<string, string>;
  /** Resolves when the workbench's status bar is visible. */
  waitForWorkbench(timeoutMs?: number): Promise<void>;
  /** The activity-bar entry whose label starts with `title`, once visible. */
  activityBarItem(title: string, timeoutMs?: number): Promise<Locator>;
  /** Runs a command from the palette by its exact title ("HealthImaging: Refresh"), retrying while it is not listed yet. */
  runCommand(title: string, options?: { attempts?: number }): Promise<void>;
  /** Writes .test-results/screenshots/<name>.png and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Merges settings into the remote ("Machine") settings file, which the running workbench reads again. */
  setMachineSettings(settings: Record<string, unknown>): void;
  /** The folder screenshot() writes to (it exists), for screenshots of a single element. */
  screenshotDir: string;
  /** Page errors and console errors seen so far, offline noise left out (for failure messages). */
  problems: string[];
  dispose(): Promise<void>;
}

function findRepoRoot(): string {
  // Compiled to out/tools/vscode-host/driver.js; the sources live in tools/vscode-host.
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'tools', 'vscode-host', 'host.cjs'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`cannot find the repository (tools/vscode-host/host.cjs) above ${__dirname}`);
  }
}

export const repoRoot = findRepoRoot();

/** The .vsix the e2e tests install: HI_E2E_VSIX, else the one `npm run package` wrote, else none (development mode). */
export function builtVsix(): string | undefined {
  if (process.env.HI_E2E_VSIX) return process.env.HI_E2E_VSIX;
  const { name, version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { name: string; version: string };
  const file = path.join(repoRoot, `${name}-${version}.vsix`);
  return fs.existsSync(file) ? file : undefined;
}
const host = require(path.join(repoRoot, 'tools', 'vscode-host', 'host.cjs')) as HostModule;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A CSS attribute value in double quotes. */
function cssString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export async function startE2E(options: E2EOptions = {}): Promise<E2ESession> {
  const temp = host.makeTempDir('e2e');
  const cleanups: (() => Promise<void>)[] = [async () => host.removeDirs([temp])];
  const dispose = async () => {
    for (const fn of cleanups.splice(0).reverse()) {
      try { await fn(); } catch (e) { console.error(`[e2e] clean-up: ${(e as Error).message}`); }
    }
  };
  try {
    const emulator = await startEmulator({ port: 0, seed: options.seed ?? true, updateDelayMs: options.updateDelayMs });
    cleanups.push(() => emulator.close());

    const awsEnv: Record<string, string> = { ...writeEmulatorProfile(path.join(temp, 'aws')) };
    const workspace = path.join(temp, 'workspace');
    const userDataDir = path.join(temp, 'user-data');
    const extensionsDir = path.join(temp, 'extensions');
    for (const d of [workspace, userDataDir, extensionsDir]) fs.mkdirSync(d, { recursive: true });
    // The workbench is a remote window: machine-scoped settings (healthImaging.endpoint)
    // are honoured only in the remote ("Machine") settings, so ours go there.
    host.writeMachineSettings(userDataDir, {
      ...host.emulatorSettings(emulator.url, { profile: EMULATOR_PROFILE, region: EMULATOR_REGION }), ...(options.machineSettings ?? {}),
    });
    host.writeUserSettings(userDataDir, { ...host.quietSettings, 'window.title': 'HealthImaging e2e', ...(options.settings ?? {}) });
    if (options.vsix) host.installExtension(options.vsix, { userDataDir, extensionsDir });

    const codeServer = await host.startCodeServer({ userDataDir, extensionsDir, folder: workspace, env: awsEnv });
    cleanups.push(() => codeServer.stop());
    const browser = await host.launchBrowser({ viewport: options.viewport ?? { width: 1400, height: 900 } });
    cleanups.push(() => browser.close());
    const { page } = browser;
    const problems: string[] = [];
    // Offline noise (marketplace, telemetry and GitHub look-ups) is not a problem of the extension.
    const noise = /ENOTFOUND|ERR_NAME_NOT_RESOLVED|status of 404|open-vsx\.org|authentication provider 'github'/;
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('console', (m) => { if (m.type() === 'error' && !noise.test(m.text())) problems.push(`console: ${m.text()}`); });
    await page.goto(host.workbenchUrl(codeServer, {
      folder: workspace,
      extensionDevelopmentPath: options.vsix ? undefined : repoRoot,
    }));

    fs.mkdirSync(host.paths.screenshots, { recursive: true });
    const session: E2ESession = {
      page, emulator, codeServer, workspace, awsEnv, problems, screenshotDir: host.paths.screenshots,
      async waitForWorkbench(timeoutMs = 60_000) {
        await page.locator('.monaco-workbench .part.statusbar').waitFor({ state: 'visible', timeout: timeoutMs });
      },
      async activityBarItem(title, timeoutMs = 60_000) {
        const item = page.locator(`.part.activitybar .action-item a[aria-label^=${cssString(title)}], ` +
          `.part.activitybar .action-item[aria-label^=${cssString(title)}]`).first();
        await item.waitFor({ state: 'visible', timeout: timeoutMs });
        return item;
      },
      async runCommand(title, { attempts = 5 } = {}) {
        // A palette opened before the extension registered its commands never lists them:
        // close it and open it again until the row appears. (A command run before is labelled
        // "<title>, recently used": the label starts with the title.)
        const row = page.locator(`.quick-input-widget [role=option][aria-label^=${cssString(title)}]`).first();
        for (let attempt = 1; ; attempt++) {
          await page.keyboard.press('F1');
          await page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible', timeout: 10_000 });
          await page.keyboard.type(title);
          try {
            await row.waitFor({ state: 'visible', timeout: 5_000 });
            await row.click(); // the row itself, not whichever row is highlighted
            await page.locator('.quick-input-widget').waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
            return;
          } catch (e) {
            await page.keyboard.press('Escape');
            if (attempt >= attempts) throw new Error(`the command palette never listed "${title}" (${attempts} attempts): ${(e as Error).message}`);
            await sleep(1000);
          }
        }
      },
      setMachineSettings(settings) {
        host.writeMachineSettings(userDataDir, settings);
      },
      async screenshot(name) {
        fs.mkdirSync(host.paths.screenshots, { recursive: true });
        const file = path.join(host.paths.screenshots, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
        await page.screenshot({ path: file });
        return file;
      },
      dispose,
    };
    return session;
  } catch (e) {
    await dispose();
    throw e;
  }
}
