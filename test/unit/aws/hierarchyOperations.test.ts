// The adapter's operations on the hierarchy (study-wide updates, copy with promoteToPrimary, delete)
// against the real emulator over real HTTP. A recording proxy between the SDK and the emulator shows
// the request as serialized and signed: `includeStudyImageSets`, which the SDK has no member for, is
// put on the wire by the adapter's middleware.
import { strict as assert } from 'node:assert';
import * as http from 'node:http';
import { Hash } from '@smithy/hash-node';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { HealthImagingError } from '../../../src/aws/errors';
import { SdkHealthImagingClient } from '../../../src/aws/sdkHealthImagingClient';
import { EMULATOR_CREDENTIALS, EMULATOR_PROFILE, EMULATOR_REGION, SEED_DATASTORE_ID, seedImageSetId, startEmulator, type RunningEmulator } from 'healthimaging-emulator';
import { useAwsProfileFiles } from '../awsProfileFiles';

interface Recorded { method: string; path: string; query: URLSearchParams; headers: http.IncomingHttpHeaders; body: Buffer; authorization: string }

/** An HTTP proxy on 127.0.0.1 that records each request and forwards it unchanged. */
async function recordingProxy(target: string): Promise<{ url: string; requests: Recorded[]; close(): Promise<void> }> {
  const requests: Recorded[] = [];
  const to = new URL(target);
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      requests.push({ method: req.method ?? '', path: url.pathname, query: url.searchParams, headers: req.headers, body, authorization: String(req.headers.authorization ?? '') });
      const forward = http.request({ host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      forward.on('error', () => res.destroy());
      forward.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/** The SigV4 signature of a recorded request, computed again over `query` (the SDK's signer, the emulator's keys). */
async function signatureOver(recorded: Recorded, query: Record<string, string>): Promise<string> {
  const signedHeaders = (/SignedHeaders=([^,]+)/.exec(recorded.authorization)?.[1] ?? '').split(';');
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = String(recorded.headers[name]);
  const [host, port] = String(recorded.headers.host).split(':');
  const request = new HttpRequest({ method: recorded.method, protocol: 'http:', hostname: host, port: Number(port), path: recorded.path, query, headers, body: recorded.body });
  const amzDate = String(recorded.headers['x-amz-date']);
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`);
  const signer = new SignatureV4({
    credentials: EMULATOR_CREDENTIALS, region: EMULATOR_REGION, service: 'medical-imaging', sha256: Hash.bind(null, 'sha256'),
  });
  const signed = await signer.sign(request, { signingDate });
  return /Signature=([0-9a-f]+)/.exec(String(signed.headers.authorization))?.[1] ?? '';
}

async function rejection(promise: Promise<unknown>): Promise<HealthImagingError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof HealthImagingError, `expected a HealthImagingError, got ${String(error)}`);
  return error;
}

const datastoreId = SEED_DATASTORE_ID;
// Seeded primary image sets of one study (4), and non-primary duplicates of 6 and 13 (patient data differs).
const STUDY = [16, 17, 18, 19].map(seedImageSetId);
const NON_PRIMARY = seedImageSetId(7);
const OTHER_NON_PRIMARY = seedImageSetId(14);

describe('SdkHealthImagingClient: study-wide updates, copy, delete', function () {
  this.timeout(30_000);
  let emulator: RunningEmulator;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  let client: SdkHealthImagingClient;

  useAwsProfileFiles();

  before(async () => {
    emulator = await startEmulator({ port: 0, seed: true, updateDelayMs: 50 });
    proxy = await recordingProxy(emulator.url);
    client = new SdkHealthImagingClient({ profile: EMULATOR_PROFILE, endpoint: proxy.url });
  });

  after(async () => {
    client?.dispose();
    await proxy?.close();
    await emulator?.close();
  });

  const settled = async (imageSetId: string) => {
    for (let i = 0; i < 200; i++) {
      const p = await client.getImageSet(datastoreId, imageSetId);
      if (p.imageSetState !== 'LOCKED') return p;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`${imageSetId} stayed LOCKED`);
  };

  it('sends includeStudyImageSets=true as a signed query parameter, and only when asked', async () => {
    const update = { updatableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'WHOLE STUDY' } } } };
    proxy.requests.length = 0;
    const result = await client.updateImageSetMetadata({ datastoreId, imageSetId: STUDY[0], latestVersionId: '1', includeStudyImageSets: true, update });

    const sent = proxy.requests.find((r) => r.path.endsWith('/updateImageSetMetadata'));
    assert.ok(sent, 'the update went through the proxy');
    assert.equal(sent.method, 'POST');
    assert.equal(sent.path, `/datastore/${datastoreId}/imageSet/${STUDY[0]}/updateImageSetMetadata`);
    assert.equal(sent.query.get('includeStudyImageSets'), 'true');
    assert.equal(sent.query.get('latestVersion'), '1');
    // Added before signing: the signature covers the parameter (the service would refuse it otherwise).
    const signature = /Signature=([0-9a-f]+)/.exec(sent.authorization)?.[1];
    const query = Object.fromEntries(sent.query);
    assert.equal(await signatureOver(sent, query), signature, 'signed over the query with includeStudyImageSets');
    const { includeStudyImageSets: _flag, ...withoutFlag } = query;
    assert.notEqual(await signatureOver(sent, withoutFlag), signature);
    assert.equal(result.latestVersionId, '2');
    // The emulator applied it to every primary image set of the study.
    for (const id of STUDY) {
      const p = await settled(id);
      assert.equal(p.imageSetWorkflowStatus, 'UPDATED', id);
      assert.equal(JSON.parse(await client.getImageSetMetadata(datastoreId, id)).Study.DICOM.StudyDescription, 'WHOLE STUDY');
    }

    proxy.requests.length = 0;
    await client.updateImageSetMetadata({ datastoreId, imageSetId: STUDY[1], latestVersionId: '2', update });
    const plain = proxy.requests.find((r) => r.path.endsWith('/updateImageSetMetadata'));
    assert.equal(plain?.query.has('includeStudyImageSets'), false, 'no flag on an ordinary update');
    await settled(STUDY[1]);
    assert.equal((await client.getImageSet(datastoreId, STUDY[0])).versionId, '2', 'an ordinary update reaches one image set only');
  });

  it('maps a study-wide update refused on a non-primary image set to Validation', async () => {
    const error = await rejection(client.updateImageSetMetadata({
      datastoreId, imageSetId: NON_PRIMARY, latestVersionId: '1', includeStudyImageSets: true,
      update: { updatableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'X' } } } },
    }));
    assert.equal(error.code, 'Validation');
    assert.match(error.message, /not primary/);
  });

  it('copies with promoteToPrimary: refused as Conflict while the data disagrees; the query carries the flag', async () => {
    proxy.requests.length = 0;
    const refused = await rejection(client.copyImageSet({ datastoreId, sourceImageSetId: NON_PRIMARY, sourceVersionId: '1', promoteToPrimary: true }));
    assert.equal(refused.code, 'Conflict');
    assert.equal(refused.operation, 'CopyImageSet');
    assert.match(refused.message, /Patient level: PatientName, PatientID/);
    const sent = proxy.requests.find((r) => r.path.endsWith('/copyImageSet'));
    assert.equal(sent?.query.get('promoteToPrimary'), 'true');
  });

  it('copies with promoteToPrimary once the data agrees: a new primary image set', async () => {
    const primary = JSON.parse(await client.getImageSetMetadata(datastoreId, seedImageSetId(13)));
    const { PatientName, PatientID } = primary.Patient.DICOM;
    const updated = await client.updateImageSetMetadata({
      datastoreId, imageSetId: OTHER_NON_PRIMARY, latestVersionId: '1',
      update: { updatableAttributes: { SchemaVersion: 1.1, Patient: { DICOM: { PatientName, PatientID } } } },
    });
    await settled(OTHER_NON_PRIMARY);
    const copy = await client.copyImageSet({ datastoreId, sourceImageSetId: OTHER_NON_PRIMARY, sourceVersionId: updated.latestVersionId, promoteToPrimary: true });
    assert.equal(copy.source.imageSetId, OTHER_NON_PRIMARY);
    assert.equal(copy.source.imageSetWorkflowStatus, 'COPYING_WITH_READ_ONLY_ACCESS');
    assert.match(copy.destination.imageSetId, /^[0-9a-z]{32}$/);
    assert.notEqual(copy.destination.imageSetId, OTHER_NON_PRIMARY);
    assert.deepEqual([copy.destination.latestVersionId, copy.destination.imageSetState, copy.destination.imageSetWorkflowStatus], ['1', 'LOCKED', 'COPYING']);
    const done = await settled(copy.destination.imageSetId);
    assert.deepEqual([done.imageSetWorkflowStatus, done.isPrimary], ['COPIED', true]);
  });

  it('deletes an image set: LOCKED / DELETING, then DELETED; reading its metadata is NotFound', async () => {
    const id = seedImageSetId(28);
    const started = await client.deleteImageSet(datastoreId, id);
    assert.deepEqual(started, { imageSetState: 'LOCKED', imageSetWorkflowStatus: 'DELETING' });
    const done = await settled(id);
    assert.equal(done.imageSetState, 'DELETED');
    const gone = await rejection(client.getImageSetMetadata(datastoreId, id));
    assert.equal(gone.code, 'NotFound');
    assert.match(gone.message, /was deleted/);
  });
});
