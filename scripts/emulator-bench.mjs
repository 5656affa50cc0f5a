// Emulator benchmark (not a test): prints numbers and ratios against baselines measured in the same run.
//   node scripts/emulator-bench.mjs [--requests 400] [--concurrency 8]
// 1. Time to start with --seed (to the "listening" line), against an empty start.
// 2. Memory at rest with the seed loaded (after a GC), against an empty emulator.
// 3. GetImageSetMetadata requests per second for the large seeded image set (real SDK client over HTTP,
//    gzip bytes as served), against GetImageSet of the same image set (a small JSON answer).
// The emulator runs in its own process, as `npm run emulator` runs it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { memoryAtRest, launchEmulator, stopEmulator } from './bench/emulatorProcess.mjs';
import { ensureEmulatorBuilt } from './emulator-build.mjs';

const { values: options } = parseArgs({ options: { requests: { type: 'string', default: '400' }, concurrency: { type: 'string', default: '8' } } });
const REQUESTS = Number(options.requests);
const CONCURRENCY = Number(options.concurrency);

const cli = ensureEmulatorBuilt('cli');
const require = createRequire(import.meta.url);
const { MedicalImagingClient, GetImageSetMetadataCommand, GetImageSetCommand } = require('@aws-sdk/client-medical-imaging');
const { seedImageSetId, SEED_DATASTORE_ID } = require(ensureEmulatorBuilt('server'));
const { gunzipSync } = require('node:zlib');

const launch = (extra) => launchEmulator(cli, extra);
const stop = stopEmulator;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mb = (b) => `${(b / 1048576).toFixed(1)} MB`;

async function timeStart(extra, runs = 3) {
  const times = [];
  for (let i = 0; i < runs; i++) {
    const e = await launch(extra);
    times.push(e.ms);
    await stop(e);
  }
  return median(times);
}

async function memoryAtRestOf(extra) {
  const e = await launch(extra);
  try {
    return await memoryAtRest(e);
  } finally {
    await stop(e);
  }
}

async function throughput(url, makeCommand, consume) {
  const client = new MedicalImagingClient({ region: 'us-east-1', endpoint: url, disableHostPrefix: true, credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  let next = 0;
  let bytes = 0;
  const worker = async () => {
    while (next < REQUESTS) {
      next++;
      bytes += await consume(await client.send(makeCommand()));
    }
  };
  await worker(); // warm-up request(s)
  next = 0;
  bytes = 0;
  const t = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  client.destroy();
  return { rps: REQUESTS / s, bytesPerRequest: bytes / REQUESTS };
}

const dataDir = mkdtempSync(join(tmpdir(), 'emulator-bench-'));
try {
  console.log(`Emulator benchmark (node ${process.version}, ${REQUESTS} requests, concurrency ${CONCURRENCY})\n`);
  const emptyStart = await timeStart([]);
  const seedStart = await timeStart(['--seed']);
  const firstPersistent = (await (async () => { const e = await launch(['--seed', '--data', dataDir]); await stop(e); return e.ms; })());
  const restart = await timeStart(['--seed', '--data', dataDir]);
  console.log('Start (to the "listening" line, median of 3):');
  console.log(`  empty                 ${emptyStart.toFixed(0)} ms  (baseline)`);
  console.log(`  --seed (in memory)    ${seedStart.toFixed(0)} ms  (${(seedStart / emptyStart).toFixed(2)} x baseline)`);
  console.log(`  --seed --data, first  ${firstPersistent.toFixed(0)} ms  (${(firstPersistent / emptyStart).toFixed(2)} x baseline; writes the store)`);
  console.log(`  --seed --data, again  ${restart.toFixed(0)} ms  (${(restart / emptyStart).toFixed(2)} x baseline; loads the store)`);

  const emptyMem = await memoryAtRestOf([]);
  const seedMem = await memoryAtRestOf(['--seed']);
  const diskMem = await memoryAtRestOf(['--data', dataDir]);
  console.log('\nMemory at rest (after GC):');
  console.log(`  empty                 rss ${mb(emptyMem.rss)}, heap ${mb(emptyMem.heapUsed)}  (baseline)`);
  console.log(`  --seed (in memory)    rss ${mb(seedMem.rss)}, heap ${mb(seedMem.heapUsed)}, buffers ${mb(seedMem.arrayBuffers)}  (rss ${(seedMem.rss / emptyMem.rss).toFixed(2)} x baseline)`);
  console.log(`  seeded store on disk  rss ${mb(diskMem.rss)}, heap ${mb(diskMem.heapUsed)}, buffers ${mb(diskMem.arrayBuffers)}  (rss ${(diskMem.rss / emptyMem.rss).toFixed(2)} x baseline)`);

  const e = await launch(['--seed']);
  try {
    const imageSetId = seedImageSetId(136);
    const params = { datastoreId: SEED_DATASTORE_ID, imageSetId };
    const base = await throughput(e.url, () => new GetImageSetCommand(params), async () => 0);
    const meta = await throughput(e.url, () => new GetImageSetMetadataCommand(params), async (r) => (await r.imageSetMetadataBlob.transformToByteArray()).length);
    const probe = await new MedicalImagingClient({ region: 'us-east-1', endpoint: e.url, disableHostPrefix: true, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } })
      .send(new GetImageSetMetadataCommand(params));
    const gz = await probe.imageSetMetadataBlob.transformToByteArray();
    const doc = JSON.parse(gunzipSync(gz).toString('utf8'));
    const instances = Object.values(doc.Study.Series).reduce((n, s) => n + Object.keys(s.Instances).length, 0);
    console.log(`\nRequests per second (large image set: ${instances} instances, ${mb(gz.length)} gzip, ${mb(gunzipSync(gz).length)} JSON):`);
    console.log(`  GetImageSet           ${base.rps.toFixed(0)} req/s  (baseline)`);
    console.log(`  GetImageSetMetadata   ${meta.rps.toFixed(0)} req/s  (${(meta.rps / base.rps).toFixed(2)} x baseline; ${mb(meta.rps * meta.bytesPerRequest)}/s)`);
  } finally {
    await stop(e);
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
