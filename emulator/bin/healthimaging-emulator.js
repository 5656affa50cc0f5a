#!/usr/bin/env node
// The emulator program: `healthimaging-emulator --port 4599 --data <folder> [--seed]` (see --help).
// Build first with `npm run build -w emulator` (the root's `npm run emulator` does it for you).
const { main } = require('../out/emulator/src/cli.js');
main(process.argv.slice(2));
