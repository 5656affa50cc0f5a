// The adapter against the real emulator over real HTTP (real SDK, real gzip): no mocks.
import { strict as assert } from 'node:assert';
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { gunzipSync, gzipSync } from 'node:zlib';
import { HealthImagingError } from '../../../src/aws/errors';
import { listAllDatastores, listAllImageSetVersions, listAllPages, type ImageSetSummary } from '../../../src/aws/healthImagingClient';
import { MAX_ATTEMPTS_PER_REQUEST, SdkHealthImagingClient, gunzipIfNeeded, isGzip } from '../../../src/aws/sdkHealthImagingClient';
import { EMULATOR_CREDENTIALS, EMULATOR_KEYS_INI, EMULATOR_PROFILE, startEmulator, type RunningEmulator } from 'healthimaging-emulator';
import { useAwsProfileFiles } from '../awsProfileFiles';

const PROFILE = EMULATOR_PROFILE;

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as { port: number }).port;
      server.close(() => resolve(port));
    });
  });
}

interface Exchange { method: string; path: string; status: number; headers: IncomingHttpHeaders; body: Buffer }

/** A pass-through HTTP proxy on 127.0.0.1 that records every answer (status, headers, body bytes) on the wire. */
async function recordingProxy(target: string): Promise<{ url: string; exchanges: Exchange[]; close(): Promise<void> }> {
  const exchanges: Exchange[] = [];
  const server = createHttpServer((req, res) => {
    const upstream = httpRequest(new URL(req.url ?? '/', target), { method: req.method, headers: req.headers }, (answer) => {
      const chunks: Buffer[] = [];
      answer.on('data', (c: Buffer) => chunks.push(c));
      answer.on('end', () => {
        const body = Buffer.concat(chunks);
        exchanges.push({ method: req.method ?? '', path: req.url ?? '', status: answer.statusCode ?? 0, headers: answer.headers, body });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        res.end(body);
      });
    });
    upstream.on('error', () => { res.writeHead(502); res.end(); });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
    exchanges,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

async function rejection(promise: Promise<unknown>): Promise<HealthImagingError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof HealthImagingError, `expected a HealthImagingError, got ${String(error)}`);
  return error;
}

describe('SdkHealthImagingClient against the emulator', function () {
  let emulator: RunningEmulator;
  let client: SdkHealthImagingClient;
  let datastoreId: string;
  let all: ImageSetSummary[];

  useAwsProfileFiles({ config: '[profile no-region]\n', credentials: `[no-region]\n${EMULATOR_KEYS_INI}` });

  before(async () => {
    emulator = await startEmulator({ port: 0, seed: true, updateDelayMs: 50 });
    // no region setting: it comes from the profile, as with the AWS CLI
    client = new SdkHealthImagingClient({ profile: PROFILE, endpoint: emulator.url });
  });

  after(async () => {
    client?.dispose();
    await emulator?.close();
  });

  it('lists the seeded data store (region from the profile, no runtime- host prefix)', async () => {
    const page = await client.listDatastores();
    const sample = page.items.find((d) => d.datastoreName === 'sample-datastore');
    assert.ok(sample, 'sample-datastore is listed');
    assert.match(sample.datastoreId, /^[0-9a-z]{32}$/);
    assert.equal(sample.datastoreStatus, 'ACTIVE');
    assert.match(sample.datastoreArn ?? '', /^arn:aws:medical-imaging:us-east-1:\d{12}:datastore\/[0-9a-z]{32}$/);
    assert.ok(sample.createdAt instanceof Date);
    assert.deepEqual(client.region, { region: 'us-east-1', source: 'profile' });
    datastoreId = sample.datastoreId;
    assert.deepEqual((await listAllDatastores(client)).map((d) => d.datastoreId), page.items.map((d) => d.datastoreId));
  });

  it('follows next tokens to the last page when listing everything', async () => {
    const pages: Record<string, { items: number[]; nextToken?: string }> = {
      start: { items: [1, 2], nextToken: 'b' }, b: { items: [3], nextToken: 'c' }, c: { items: [] },
    };
    const asked: (string | undefined)[] = [];
    const all = await listAllPages(async (token) => {
      asked.push(token);
      return pages[token ?? 'start'];
    });
    assert.deepEqual(all, [1, 2, 3]);
    assert.deepEqual(asked, [undefined, 'b', 'c']);
  });

  it('pages through every image set with nextToken, without duplicates, with DICOM tags', async () => {
    all = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.searchImageSets(datastoreId, {}, token, 50);
      assert.ok(page.items.length <= 50);
      all.push(...page.items);
      token = page.nextToken;
      pages++;
    } while (token);
    assert.ok(all.length >= 120, `at least 120 image sets (got ${all.length})`);
    assert.equal(pages, Math.ceil(all.length / 50));
    assert.equal(new Set(all.map((s) => s.imageSetId)).size, all.length);
    const withTags = all.filter((s) => s.dicomTags?.patientId && s.dicomTags.studyInstanceUID);
    assert.equal(withTags.length, all.length, 'every summary carries patient id and study UID');
    assert.ok(all.every((s) => typeof s.version === 'number'));
  });

  it('narrows a search with a filter (patient id)', async () => {
    const patientId = all[0].dicomTags!.patientId!;
    const expected = all.filter((s) => s.dicomTags?.patientId === patientId).map((s) => s.imageSetId).sort();
    const page = await client.searchImageSets(datastoreId, { filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: patientId }] }] }, undefined, 50);
    assert.deepEqual(page.items.map((s) => s.imageSetId).sort(), expected);
    assert.ok(expected.length < all.length);
  });

  it('reads metadata: gunzips the service\'s gzip body into the image set\'s JSON document', async () => {
    const id = all[0].imageSetId;
    // What crossed the wire, recorded between the adapter and the service.
    const proxy = await recordingProxy(emulator.url);
    const lines: string[] = [];
    const seeing = new SdkHealthImagingClient({ profile: PROFILE, endpoint: proxy.url, logger: { debug: (l) => lines.push(l) } });
    let text: string;
    try {
      text = await seeing.getImageSetMetadata(datastoreId, id);
    } finally {
      seeing.dispose();
      await proxy.close();
    }
    const wire = proxy.exchanges.filter((x) => x.path.includes(`/imageSet/${id}/getImageSetMetadata`));
    assert.equal(wire.length, 1, 'one GetImageSetMetadata request');
    assert.equal(wire[0].status, 200);
    assert.equal(wire[0].headers['content-encoding'], 'gzip', 'the body arrived gzip-encoded');
    assert.equal(wire[0].headers['content-type'], 'application/json');
    assert.deepEqual([...wire[0].body.subarray(0, 2)], [0x1f, 0x8b], 'gzip bytes on the wire');
    assert.equal(text, gunzipSync(wire[0].body).toString('utf8'), 'the adapter returns exactly the gunzipped body');
    assert.ok(wire[0].body.length < Buffer.byteLength(text), 'compressed on the wire');
    assert.ok(lines.some((l) => l.includes(`${wire[0].body.length} bytes on the wire, ${Buffer.byteLength(text)} bytes of JSON`)), lines.join('\n'));
    const doc = JSON.parse(text);
    assert.equal(doc.ImageSetID, id);
    assert.equal(doc.DatastoreID, datastoreId);
    assert.equal(doc.Patient.DICOM.PatientID, all[0].dicomTags!.patientId);
    const props = await client.getImageSet(datastoreId, id);
    assert.equal(props.versionId, String(all[0].version));
    assert.equal(props.imageSetState, 'ACTIVE');
    assert.ok(props.updatedAt instanceof Date);
  });

  it('updates, then lists versions newest first with status, forced flag and the new metadata', async () => {
    const id = all[1].imageSetId;
    const before = await client.getImageSet(datastoreId, id);
    const result = await client.updateImageSetMetadata({
      datastoreId, imageSetId: id, latestVersionId: before.versionId,
      update: { updatableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'ADAPTER TEST' } } } },
    });
    assert.equal(result.latestVersionId, String(Number(before.versionId) + 1));
    assert.equal(result.imageSetState, 'LOCKED');
    let props = await client.getImageSet(datastoreId, id);
    for (let i = 0; i < 100 && props.imageSetState === 'LOCKED'; i++) {
      await new Promise((r) => setTimeout(r, 20));
      props = await client.getImageSet(datastoreId, id);
    }
    assert.equal(props.imageSetWorkflowStatus, 'UPDATED');
    const versions = await listAllImageSetVersions(client, datastoreId, id);
    assert.deepEqual(versions.map((v) => v.versionId), Array.from({ length: Number(result.latestVersionId) }, (_, i) => String(Number(result.latestVersionId) - i)));
    assert.equal(versions[0].imageSetWorkflowStatus, 'UPDATED');
    assert.equal(versions[0].forced ?? false, false);
    assert.equal(JSON.parse(await client.getImageSetMetadata(datastoreId, id)).Study.DICOM.StudyDescription, 'ADAPTER TEST');
    const old = JSON.parse(await client.getImageSetMetadata(datastoreId, id, before.versionId));
    assert.notEqual(old.Study.DICOM.StudyDescription, 'ADAPTER TEST');
  });

  it('gets a frame: its stored bytes (HTJ2K) with the service\'s content type; errors mapped for GetImageFrame', async () => {
    const doc = JSON.parse(await client.getImageSetMetadata(datastoreId, all[0].imageSetId));
    const frame = Object.values(doc.Study.Series as Record<string, { Instances: Record<string, { ImageFrames?: { ID: string; FrameSizeInBytes: number }[] }> }>)
      .flatMap((s) => Object.values(s.Instances)).flatMap((i) => i.ImageFrames ?? [])[0];
    assert.ok(frame, 'the image set has a frame');
    const got = await client.getImageFrame(datastoreId, all[0].imageSetId, frame.ID);
    assert.equal(got.contentType, 'image/jph');
    assert.equal(got.bytes.byteLength, frame.FrameSizeInBytes);
    assert.deepEqual([...got.bytes.subarray(0, 4)], [0xff, 0x4f, 0xff, 0x51]);
    const missing = await rejection(client.getImageFrame(datastoreId, all[0].imageSetId, '0'.repeat(32)));
    assert.deepEqual([missing.code, missing.operation], ['NotFound', 'GetImageFrame']);
    emulator.faults.errorNext('GetImageFrame', 'AccessDeniedException', 1);
    const denied = await rejection(client.getImageFrame(datastoreId, all[0].imageSetId, frame.ID));
    assert.equal(denied.code, 'AccessDenied');
    assert.match(denied.message, /medical-imaging:GetImageFrame/);
  });

  it('maps a missing image set to NotFound and a stale base version to Conflict', async () => {
    const notFound = await rejection(client.getImageSet(datastoreId, '0'.repeat(32)));
    assert.equal(notFound.code, 'NotFound');
    assert.equal(notFound.operation, 'GetImageSet');
    const id = all[2].imageSetId;
    const stale = await rejection(client.updateImageSetMetadata({
      datastoreId, imageSetId: id, latestVersionId: '999',
      update: { updatableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'X' } } } },
    }));
    assert.equal(stale.code, 'Conflict');
    assert.match(stale.message, /999 is not the latest version/);
  });

  it('retries throttling inside the SDK, and reports it when it persists', async () => {
    emulator.faults.throttleNext('GetImageSet', 2);
    const props = await client.getImageSet(datastoreId, all[0].imageSetId);
    assert.equal(props.imageSetId, all[0].imageSetId);
    const once = new SdkHealthImagingClient({ profile: PROFILE, endpoint: emulator.url, maxAttempts: 1 });
    try {
      emulator.faults.throttleNext('GetImageSet', 1);
      const error = await rejection(once.getImageSet(datastoreId, all[0].imageSetId));
      assert.equal(error.code, 'Throttling');
      assert.equal(error.retryable, true);
    } finally {
      once.dispose();
      emulator.faults.reset();
    }
  });

  describe(`one retry layer: at most ${MAX_ATTEMPTS_PER_REQUEST} attempts per request, counted by the emulator`, () => {
    const lines: string[] = [];
    let retrying: SdkHealthImagingClient;
    before(() => {
      retrying = new SdkHealthImagingClient({ profile: PROFILE, endpoint: emulator.url, logger: { debug: (l) => lines.push(l) } });
    });
    after(() => retrying?.dispose());
    beforeEach(() => {
      lines.length = 0;
      emulator.faults.reset();
    });
    const describeAs = (imageSetId: string, latestVersionId: string, value: string) => ({
      datastoreId, imageSetId, latestVersionId,
      update: { updatableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: value } } } },
    });

    it('sends a throttled UpdateImageSetMetadata again until it gets through, and logs how many attempts it took', async () => {
      const id = all[2].imageSetId;
      const before = await retrying.getImageSet(datastoreId, id);
      emulator.faults.reset();
      emulator.faults.throttleNext('UpdateImageSetMetadata', 3);
      const result = await retrying.updateImageSetMetadata(describeAs(id, before.versionId, 'RETRIED BY THE SDK'));
      assert.equal(result.latestVersionId, String(Number(before.versionId) + 1), 'one version: the throttled attempts created none');
      assert.deepEqual(emulator.faults.requestCounts().UpdateImageSetMetadata, { total: 4, byStatus: { 200: 1, 429: 3 } });
      assert.ok(lines.some((l) => /^UpdateImageSetMetadata succeeded after 4 attempts \(\d+ ms of back-off\)$/.test(l)), lines.join('\n'));
      assert.ok(lines.every((l) => !l.includes('RETRIED BY THE SDK')), 'no metadata values in the log');
    });

    it(`gives up after exactly ${MAX_ATTEMPTS_PER_REQUEST} attempts when throttling persists, with the Throttling error`, async () => {
      const id = all[3].imageSetId;
      const before = await retrying.getImageSet(datastoreId, id);
      emulator.faults.reset();
      emulator.faults.throttleNext('UpdateImageSetMetadata', 100);
      const error = await rejection(retrying.updateImageSetMetadata(describeAs(id, before.versionId, 'NEVER SENT')));
      assert.equal(error.code, 'Throttling');
      assert.match(error.message, /HealthImaging throttled UpdateImageSetMetadata; try again in a moment/);
      assert.deepEqual(emulator.faults.requestCounts().UpdateImageSetMetadata, { total: MAX_ATTEMPTS_PER_REQUEST, byStatus: { 429: MAX_ATTEMPTS_PER_REQUEST } });
      assert.ok(lines.some((l) => l.startsWith(`UpdateImageSetMetadata failed (ThrottlingException) after ${MAX_ATTEMPTS_PER_REQUEST} attempts (`)), lines.join('\n'));
      emulator.faults.reset();
      assert.equal((await retrying.getImageSet(datastoreId, id)).versionId, before.versionId, 'nothing was versioned');
    });

    it('sends a request that conflicts (a stale version) once', async () => {
      const id = all[4].imageSetId;
      const before = await retrying.getImageSet(datastoreId, id);
      await retrying.updateImageSetMetadata(describeAs(id, before.versionId, 'FIRST'));
      emulator.faults.reset();
      const error = await rejection(retrying.updateImageSetMetadata(describeAs(id, before.versionId, 'STALE')));
      assert.equal(error.code, 'Conflict');
      assert.deepEqual(emulator.faults.requestCounts().UpdateImageSetMetadata, { total: 1, byStatus: { 409: 1 } });
    });
  });

  it('reports a stopped service as a Network error naming the endpoint', async () => {
    const endpoint = `http://127.0.0.1:${await freePort()}`;
    const offline = new SdkHealthImagingClient({ profile: PROFILE, endpoint, maxAttempts: 1 });
    try {
      const error = await rejection(offline.listDatastores());
      assert.equal(error.code, 'Network');
      assert.ok(error.message.includes(endpoint), error.message);
    } finally {
      offline.dispose();
    }
  });

  it('says which setting to fill when no region can be found, and rejects a bad endpoint', async () => {
    const noRegion = new SdkHealthImagingClient({ profile: 'no-region', endpoint: emulator.url });
    const error = await rejection(noRegion.listDatastores());
    assert.equal(error.code, 'NoRegion');
    assert.match(error.message, /healthImaging\.region/);
    assert.match(error.message, /profile "no-region"/);
    const bad = new SdkHealthImagingClient({ profile: PROFILE, endpoint: 'localhost:4599' });
    const badError = await rejection(bad.listDatastores());
    assert.match(badError.message, /healthImaging\.endpoint/);
  });

  it('reports an unknown profile as NoCredentials', async () => {
    const unknown = new SdkHealthImagingClient({ profile: 'nobody', region: 'us-east-1', endpoint: emulator.url });
    const error = await rejection(unknown.listDatastores());
    assert.equal(error.code, 'NoCredentials');
    assert.match(error.message, /nobody/);
  });

  it('logs operations, ids, sizes and timings, never patient data or credentials', async () => {
    const lines: string[] = [];
    const logged = new SdkHealthImagingClient({ profile: PROFILE, endpoint: emulator.url, logger: { debug: (l) => lines.push(l) } });
    try {
      const s = all[5];
      const patientId = s.dicomTags!.patientId!;
      await logged.searchImageSets(datastoreId, { filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: patientId }] }] });
      const text = await logged.getImageSetMetadata(datastoreId, s.imageSetId);
      const doc = JSON.parse(text);
      const v = await logged.getImageSet(datastoreId, s.imageSetId);
      await logged.updateImageSetMetadata({
        datastoreId, imageSetId: s.imageSetId, latestVersionId: v.versionId,
        update: { updatableAttributes: { SchemaVersion: 1.1, Patient: { DICOM: { PatientName: 'SECRET^NAME' } } } },
      });
      assert.ok(lines.length >= 4, lines.join('\n'));
      assert.ok(lines.some((l) => l.includes(s.imageSetId) && /GetImageSetMetadata .* ok in \d+ ms/.test(l)), lines.join('\n'));
      const secrets = [patientId, doc.Patient.DICOM.PatientName, doc.Study.DICOM.StudyInstanceUID, 'SECRET^NAME', EMULATOR_CREDENTIALS.accessKeyId, EMULATOR_CREDENTIALS.secretAccessKey]
        .filter((x): x is string => typeof x === 'string' && x.length > 0);
      for (const line of lines) {
        for (const secret of secrets) {
          assert.ok(!line.includes(secret), `log line carries a sensitive value: ${line}`);
        }
      }
    } finally {
      logged.dispose();
    }
  });

  it('reads the 5,000-instance image set', async () => {
    const big = all.find((s) => (s.dicomTags?.numberOfStudyRelatedInstances ?? 0) >= 5000);
    assert.ok(big, 'the seed has an image set of at least 5,000 instances');
    const started = Date.now();
    const text = await client.getImageSetMetadata(datastoreId, big.imageSetId);
    const ms = Date.now() - started;
    const doc = JSON.parse(text);
    const instances = Object.values(doc.Study.Series as Record<string, { Instances: object }>)
      .reduce((n, s) => n + Object.keys(s.Instances).length, 0);
    assert.ok(instances >= 5000);
    console.log(`      large image set: ${instances} instances, ${(text.length / 1e6).toFixed(1)} MB of JSON (unformatted) read in ${ms} ms`);
  });
});

describe('gzip detection', () => {
  it('gunzips only bytes that start with 1f 8b', async () => {
    const json = new TextEncoder().encode('{"a":1}');
    const gz = gzipSync(json);
    assert.equal(isGzip(gz), true);
    assert.equal(isGzip(json), false);
    assert.equal(isGzip(new Uint8Array([0x1f])), false);
    assert.deepEqual(Buffer.from(await gunzipIfNeeded(gz)), Buffer.from(json));
    assert.equal(await gunzipIfNeeded(json), json);
  });
});
