// Prepares the Extension Development Host of `.vscode/launch.json` ("Run Extension (emulator)"):
// writes the emulator's AWS profile (healthimaging-emulator, us-east-1, dummy keys) and a user
// settings file that points the extension at the emulator on 127.0.0.1:<port>, both under
// .vscode-test/dev-host/ (git-ignored), so that your own AWS files and VS Code settings stay untouched.
// The launch configuration passes that folder as --user-data-dir and the profile files as
// AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE. Run by the task "HealthImaging: prepare dev host".
//   node scripts/dev-host.mjs [--port 4599]
import { createRequire } from 'node:module';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { root } from './bootstrap.mjs';
import { ensureEmulatorBuilt } from './emulator-build.mjs';

const { values } = parseArgs({ options: { port: { type: 'string', default: '4599' } } });
const require = createRequire(import.meta.url);
const { EMULATOR_PROFILE, EMULATOR_REGION, writeEmulatorProfile } = require(ensureEmulatorBuilt('profile'));

const folder = join(root, '.vscode-test', 'dev-host');
const aws = writeEmulatorProfile(join(folder, 'aws'));
const settingsFile = join(folder, 'user-data', 'User', 'settings.json');
mkdirSync(join(folder, 'user-data', 'User'), { recursive: true });
let settings = {};
try { settings = JSON.parse(readFileSync(settingsFile, 'utf8')); } catch { /* first run, or not JSON: start again */ }
Object.assign(settings, {
  'healthImaging.profile': EMULATOR_PROFILE,
  'healthImaging.region': EMULATOR_REGION,
  'healthImaging.endpoint': `http://127.0.0.1:${values.port}`,
});
writeFileSync(settingsFile, `${JSON.stringify(settings, null, 2)}\n`);
console.log(`[dev-host] ${settingsFile}: profile ${EMULATOR_PROFILE}, region ${EMULATOR_REGION}, endpoint http://127.0.0.1:${values.port}`);
console.log(`[dev-host] AWS_CONFIG_FILE=${aws.AWS_CONFIG_FILE} AWS_SHARED_CREDENTIALS_FILE=${aws.AWS_SHARED_CREDENTIALS_FILE}`);
