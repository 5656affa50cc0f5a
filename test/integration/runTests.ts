// Runs the integration tests (test/integration/**/*.test.ts, compiled to out/) inside
// the real VS Code extension host: @vscode/test-electron's runTests, unchanged, with
// tools/vscode-host/launcher.mjs standing in for VS Code's executable (code-server
// 1.139.1 in Chromium; see tools/vscode-host). Every run gets a fresh user-data
// folder, extensions folder and workspace folder, removed afterwards.
//   node out/test/integration/runTests.js          (npm test -- --only integration)
//   HI_TEST_GREP=<text>                             only tests whose title contains <text>
//   HI_TEST_BAIL=1                                  stop at the first failing test
//   HI_HOST_VERBOSE=1                               also the workbench's own log lines
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(__dirname, '..', '..', '..');

async function main(): Promise<number> {
  const launcher = path.join(root, 'tools', 'vscode-host', 'launcher.mjs');
  const bundle = path.join(root, 'dist', 'extension.js');
  for (const [file, fix] of [[launcher, 'the VS Code test host is part of the repository'],
    [path.join(root, 'tools', 'vscode-host', 'node_modules', 'code-server'), 'run "node tools/vscode-host/install.mjs"'],
    [bundle, 'run "npm run build"']] as const) {
    if (!fs.existsSync(file)) {
      console.error(`[integration] ${path.relative(root, file)} is missing: ${fix}`);
      return 1;
    }
  }
  // The tests choose their own credentials and endpoint (the local emulator); nothing
  // from the developer's AWS environment may reach the extension host.
  for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];

  const temp = fs.mkdtempSync(path.join(os.tmpdir(), 'hi-integration-'));
  const workspace = path.join(temp, 'workspace');
  fs.mkdirSync(workspace);
  try {
    await runTests({
      vscodeExecutablePath: launcher,
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(__dirname, 'index'),
      launchArgs: [workspace, `--user-data-dir=${path.join(temp, 'user-data')}`, `--extensions-dir=${path.join(temp, 'extensions')}`],
      extensionTestsEnv: { AWS_EC2_METADATA_DISABLED: 'true', HI_TEST_TIER: process.env.HI_TEST_TIER ?? 'integration' },
    });
    return 0;
  } catch (e) {
    console.error(`[integration] ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    fs.rmSync(temp, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
