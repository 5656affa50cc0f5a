// Persistence: with a data folder the state survives a restart (also in the middle of an update),
// writes are atomic and what a crash can leave behind is cleaned up; seeded ids are reproducible.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  CreateDatastoreCommand, GetDatastoreCommand, GetImageFrameCommand, GetImageSetCommand, GetImageSetMetadataCommand, ListImageSetVersionsCommand,
  ListTagsForResourceCommand, TagResourceCommand, UpdateImageSetMetadataCommand,
} from '@aws-sdk/client-medical-imaging';
import { decodeHtj2k } from '../../src/core/htj2k';
import { loadHtj2kCodec } from '../src/htj2k';
import { SEED_DATASTORE_ID, seedImageSetId, startEmulator } from '../src/server';
import { clientFor, encodeJson, until, readMetadata } from './helpers';

const datastoreId = SEED_DATASTORE_ID;

describe('emulator: persistence and reproducible seed', function () {
  this.timeout(120000);
  let dataDir: string;
  before(() => { dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-data-')); });
  after(() => { fs.rmSync(dataDir, { recursive: true, force: true }); });

  /** Runs `body` against an emulator on dataDir and closes it afterwards. */
  async function withEmulator<T>(opts: { seed?: boolean; updateDelayMs?: number }, body: (c: ReturnType<typeof clientFor>) => Promise<T>): Promise<T> {
    const emulator = await startEmulator({ dataDir, updateDelayMs: 50, ...opts });
    const client = clientFor(emulator.url);
    try {
      return await body(client);
    } finally {
      client.destroy();
      await emulator.close();
    }
  }
  const meta = async (c: ReturnType<typeof clientFor>, imageSetId: string, versionId?: string) =>
    readMetadata((await c.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId, versionId }))).imageSetMetadataBlob as never);
  const settled = (c: ReturnType<typeof clientFor>, imageSetId: string) => until('ACTIVE', async () => {
    const r = await c.send(new GetImageSetCommand({ datastoreId, imageSetId }));
    return r.imageSetState === 'LOCKED' ? undefined : r;
  });

  const id = seedImageSetId(7);
  let createdDatastore: string;
  let original: Record<string, unknown>;

  it('keeps versions, tags and data stores across a restart', async () => {
    await withEmulator({ seed: true }, async (c) => {
      original = await meta(c, id);
      await c.send(new UpdateImageSetMetadataCommand({
        datastoreId, imageSetId: id, latestVersionId: '1',
        updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: encodeJson({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'persisted' } } }) } },
      }));
      await settled(c, id);
      const arn = (await c.send(new GetImageSetCommand({ datastoreId, imageSetId: id }))).imageSetArn;
      await c.send(new TagResourceCommand({ resourceArn: arn, tags: { kept: 'yes' } }));
      createdDatastore = (await c.send(new CreateDatastoreCommand({ datastoreName: 'second', clientToken: 'p-1' }))).datastoreId as string;
    });
    assert.ok(fs.existsSync(path.join(dataDir, 'state.json')));
    await withEmulator({ seed: true }, async (c) => {
      const g = await c.send(new GetImageSetCommand({ datastoreId, imageSetId: id }));
      assert.equal(g.versionId, '2');
      assert.equal(g.imageSetWorkflowStatus, 'UPDATED');
      assert.equal((await meta(c, id)).Study.DICOM.StudyDescription, 'persisted');
      assert.deepEqual(await meta(c, id, '1'), original);
      assert.deepEqual((await c.send(new ListTagsForResourceCommand({ resourceArn: g.imageSetArn }))).tags, { kept: 'yes' });
      const d = await until('ACTIVE', async () => {
        const r = await c.send(new GetDatastoreCommand({ datastoreId: createdDatastore }));
        return r.datastoreProperties?.datastoreStatus === 'ACTIVE' ? r : undefined;
      });
      assert.equal(d.datastoreProperties?.datastoreName, 'second');
    });
  });

  it('keeps frames that several image sets share once, and serves them all after a restart', async () => {
    // A non-primary seeded copy shows the same images as its primary image set, under its own frame ids.
    const frameOf = async (c: ReturnType<typeof clientFor>, imageSetId: string) => {
      const doc = await meta(c, imageSetId) as { Study: { Series: Record<string, { Instances: Record<string, { ImageFrames?: { ID: string; PixelDataChecksumFromBaseToFullResolution: { Checksum: number }[] }[] }> }> } };
      const frame = Object.values(doc.Study.Series).flatMap((x) => Object.values(x.Instances)).flatMap((i) => i.ImageFrames ?? [])[0];
      const out = await c.send(new GetImageFrameCommand({ datastoreId, imageSetId, imageFrameInformation: { imageFrameId: frame.ID } }));
      return { frame, bytes: Buffer.from(await (out.imageFrameBlob as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray()) };
    };
    const [primary, copy] = [seedImageSetId(6), seedImageSetId(7)]; // the eighth image set is a copy of the seventh
    const packs = () => fs.readdirSync(path.join(dataDir, 'frames')).filter((f) => f.endsWith('.pack')).reduce((n, f) => n + fs.statSync(path.join(dataDir, 'frames', f)).size, 0);
    const before = await withEmulator({ seed: true }, async (c) => {
      const [a, b] = [await frameOf(c, primary), await frameOf(c, copy)];
      assert.notEqual(a.frame.ID, b.frame.ID);
      assert.ok(a.bytes.equals(b.bytes), 'the same image');
      return a.bytes;
    });
    assert.ok(packs() < 12 * 1024 * 1024, `frame packs hold each image once: ${packs()} bytes`);
    await withEmulator({ seed: true }, async (c) => {
      const b = await frameOf(c, copy);
      assert.ok(b.bytes.equals(before), 'served from the earlier pack after the restart');
      assert.equal(zlib.crc32(decodeHtj2k(await loadHtj2kCodec(), b.bytes).pixels), b.frame.PixelDataChecksumFromBaseToFullResolution[0].Checksum);
    });
  });

  it('finishes an update that was in progress when the emulator stopped', async () => {
    await withEmulator({ updateDelayMs: 300 }, async (c) => {
      const r = await c.send(new UpdateImageSetMetadataCommand({
        datastoreId, imageSetId: id, latestVersionId: '2',
        updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: encodeJson({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'across restart' } } }) } },
      }));
      assert.equal(r.imageSetState, 'LOCKED');
    });
    await withEmulator({}, async (c) => {
      const done = await settled(c, id);
      assert.equal(done.versionId, '3');
      assert.equal(done.imageSetWorkflowStatus, 'UPDATED');
      assert.equal((await meta(c, id)).Study.DICOM.StudyDescription, 'across restart');
      const versions = await c.send(new ListImageSetVersionsCommand({ datastoreId, imageSetId: id }));
      assert.deepEqual(versions.imageSetPropertiesList?.map((v) => v.versionId), ['3', '2', '1']);
    });
  });

  it('cleans up what an interrupted write leaves behind, and never leaves temporary files', async () => {
    const strayTmp = path.join(dataDir, 'state.json.999.1.tmp');
    const orphan = path.join(dataDir, 'blobs', `${'ab'.repeat(32)}.json.gz`);
    fs.writeFileSync(strayTmp, '{"half":');
    fs.writeFileSync(orphan, 'never referenced');
    const orphanPack = path.join(dataDir, 'frames', `${'cd'.repeat(32)}.pack`);
    fs.writeFileSync(orphanPack, 'no state names this pack');
    await withEmulator({}, async (c) => {
      assert.equal((await meta(c, id)).Study.DICOM.StudyDescription, 'across restart');
    });
    assert.equal(fs.existsSync(strayTmp), false, 'a half-written state file is removed');
    assert.equal(fs.existsSync(orphan), false, 'unreferenced blobs are removed');
    assert.equal(fs.existsSync(orphanPack), false, 'unreferenced frame packs are removed');
    const leftovers = fs.readdirSync(path.join(dataDir, 'blobs')).filter((f) => f.endsWith('.tmp'));
    assert.deepEqual(leftovers, []);
    JSON.parse(fs.readFileSync(path.join(dataDir, 'state.json'), 'utf8'));
  });

  type FsCall = { op: 'open' | 'fsync' | 'rename' | 'close'; path?: string; fd?: number };

  /** Runs a seeded emulator on a new folder that updates one image set, recording the file-system calls. */
  async function recordFsCalls(options: { fsync?: boolean }): Promise<{ calls: FsCall[]; folder: string }> {
    // A power loss cannot be staged in a test: the calls are recorded (and still made). The module
    // object itself is patched (an ES import's namespace is read-only); the emulator reads through it.
    const calls: FsCall[] = [];
    const nodeFs = require('node:fs') as typeof fs;
    const real = { openSync: nodeFs.openSync, fsyncSync: nodeFs.fsyncSync, renameSync: nodeFs.renameSync, closeSync: nodeFs.closeSync };
    const spied = nodeFs as unknown as Record<keyof typeof real, (...args: unknown[]) => unknown>;
    spied.openSync = (...args) => {
      const fd = (real.openSync as (...a: unknown[]) => number)(...args);
      calls.push({ op: 'open', path: path.resolve(String(args[0])), fd });
      return fd;
    };
    spied.fsyncSync = (...args) => { calls.push({ op: 'fsync', fd: args[0] as number }); return (real.fsyncSync as (...a: unknown[]) => void)(...args); };
    spied.closeSync = (...args) => { calls.push({ op: 'close', fd: args[0] as number }); return (real.closeSync as (...a: unknown[]) => void)(...args); };
    spied.renameSync = (...args) => { calls.push({ op: 'rename', path: path.resolve(String(args[1])) }); return (real.renameSync as (...a: unknown[]) => void)(...args); };
    const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-fsync-'));
    try {
      const emulator = await startEmulator({ dataDir: folder, seed: true, updateDelayMs: 20, ...options });
      const c = clientFor(emulator.url);
      try {
        const v = await c.send(new GetImageSetCommand({ datastoreId, imageSetId: id }));
        await c.send(new UpdateImageSetMetadataCommand({
          datastoreId, imageSetId: id, latestVersionId: v.versionId,
          updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: encodeJson({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'FSYNCED' } } }) } },
        }));
      } finally {
        c.destroy();
        await emulator.close();
      }
    } finally {
      Object.assign(nodeFs, real);
    }
    return { calls, folder };
  }

  it('flushes the folder after every rename, so that a renamed file survives a power loss too', async () => {
    const { calls, folder } = await recordFsCalls({});
    try {
      const renames = calls.map((call, i) => ({ call, i })).filter(({ call }) => call.op === 'rename');
      assert.ok(renames.length >= 3, `the seed, the blobs and the state were renamed into place (${renames.length} renames)`);
      for (const { call, i } of renames) {
        const dir = path.dirname(call.path as string);
        const open = new Map<number, string>();
        const flushed = calls.slice(i + 1).some((later) => {
          if (later.op === 'open') open.set(later.fd as number, later.path as string);
          return later.op === 'fsync' && open.get(later.fd as number) === dir;
        });
        assert.ok(flushed, `${path.relative(folder, call.path as string)} was renamed, then its folder ${path.relative(folder, dir) || '.'} was not fsynced`);
      }
    } finally {
      fs.rmSync(folder, { recursive: true, force: true });
    }
  });

  it('with fsync: false (an emulator inside another process) renames atomically without flushing', async () => {
    const { calls, folder } = await recordFsCalls({ fsync: false });
    fs.rmSync(folder, { recursive: true, force: true });
    assert.ok(calls.some((c) => c.op === 'rename'), 'files are still renamed into place');
    assert.deepEqual(calls.filter((c) => c.op === 'fsync'), []);
  });

  it('restarts on the same port with the same data', async () => {
    const first = await startEmulator({ dataDir, port: 0 });
    const port = first.port;
    await first.close();
    const second = await startEmulator({ dataDir, port });
    const c = clientFor(second.url);
    try {
      assert.equal(second.url, `http://127.0.0.1:${port}`);
      assert.equal((await c.send(new GetImageSetCommand({ datastoreId, imageSetId: id }))).versionId, '3');
    } finally {
      c.destroy();
      await second.close();
    }
  });

  it('refuses to start on a state file it cannot read, naming the file', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-bad-'));
    try {
      fs.writeFileSync(path.join(other, 'state.json'), '{"formatVersion":1,');
      await assert.rejects(startEmulator({ dataDir: other }), (e: Error) => e.message.includes(path.join(other, 'state.json')));
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('seeds the same ids and documents on every run', async () => {
    const a = await startEmulator({ seed: true });
    const b = await startEmulator({ seed: true });
    const ca = clientFor(a.url);
    const cb = clientFor(b.url);
    try {
      for (const i of [0, 50, 136]) {
        const x = await readMetadata((await ca.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId: seedImageSetId(i) }))).imageSetMetadataBlob as never);
        const y = await readMetadata((await cb.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId: seedImageSetId(i) }))).imageSetMetadataBlob as never);
        assert.deepEqual(x, y);
        assert.equal(x.ImageSetID, seedImageSetId(i));
      }
    } finally {
      ca.destroy();
      cb.destroy();
      await a.close();
      await b.close();
    }
  });
});
