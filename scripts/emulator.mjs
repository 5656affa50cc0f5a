// `npm run emulator -- --port 4599 --data <folder> [--seed]`: the local HealthImaging emulator.
// Installs npm packages if needed, compiles the emulator (src/emulator + src/core) when its
// compiled files are missing or older than the sources, then runs out/src/emulator/cli.js.
import { createRequire } from 'node:module';
import { ensureEmulatorBuilt } from './emulator-build.mjs';

const require = createRequire(import.meta.url);
const { main } = require(ensureEmulatorBuilt('cli'));
await main(process.argv.slice(2));
