// Generated malformed requests to every operation (fast-check, fixed seed so a run can be repeated):
// random ids and labels in the path, random query parameters, and bodies that are random JSON,
// not JSON at all, or the right shape with random values (base64 blobs of random documents
// included). The emulator must answer each with a modelled error (4xx, `{"__type","message"}`) or a
// success, never a 5xx, and keep serving.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { OPERATIONS, SEED_DATASTORE_ID, seedImageSetId } from '../src/server';
import { startHarness, stopHarness, type Harness } from './helpers';

/** Generated requests per run (the figure docs/reliability.md quotes). */
export const REQUESTS = 600;
const SEED = 20260130;

/** Each operation's method and path, with {labels} (as the service model routes them). */
const TEMPLATES: Record<string, [string, string]> = {
  CreateDatastore: ['POST', '/datastore'], ListDatastores: ['GET', '/datastore'],
  GetDatastore: ['GET', '/datastore/{datastoreId}'], DeleteDatastore: ['DELETE', '/datastore/{datastoreId}'],
  StartDICOMImportJob: ['POST', '/startDICOMImportJob/datastore/{datastoreId}'],
  GetDICOMImportJob: ['GET', '/getDICOMImportJob/datastore/{datastoreId}/job/{jobId}'],
  ListDICOMImportJobs: ['GET', '/listDICOMImportJobs/datastore/{datastoreId}'],
  SearchImageSets: ['POST', '/datastore/{datastoreId}/searchImageSets'],
  GetImageSet: ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/getImageSet'],
  GetImageSetMetadata: ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/getImageSetMetadata'],
  GetImageFrame: ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/getImageFrame'],
  ListImageSetVersions: ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/listImageSetVersions'],
  UpdateImageSetMetadata: ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/updateImageSetMetadata'],
  CopyImageSet: ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/copyImageSet'],
  DeleteImageSet: ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/deleteImageSet'],
  TagResource: ['POST', '/tags/{resourceArn}'], UntagResource: ['DELETE', '/tags/{resourceArn}'],
  ListTagsForResource: ['GET', '/tags/{resourceArn}'],
};

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value) ?? 'null').toString('base64');
const label = fc.oneof(
  fc.constant(SEED_DATASTORE_ID), fc.constant(seedImageSetId(5)), fc.string({ maxLength: 40 }), fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 }),
  fc.constant(`arn:aws:medical-imaging:us-east-1:123456789012:datastore/${SEED_DATASTORE_ID}`), fc.constant('%'), fc.constant('..'),
);
const json = fc.jsonValue({ maxDepth: 4 });
const document = fc.oneof(json, fc.record({ SchemaVersion: fc.oneof(fc.constant(1.1), json), Study: json, Patient: json }, { requiredKeys: [] }));
const body = fc.oneof(
  json.map((v) => JSON.stringify(v) ?? ''),
  fc.string({ maxLength: 200 }),
  fc.record({
    DICOMUpdates: fc.record({ updatableAttributes: fc.oneof(document.map(b64), fc.string()), removableAttributes: fc.oneof(document.map(b64), json) }, { requiredKeys: [] }),
    revertToVersionId: fc.oneof(fc.string({ maxLength: 5 }), json),
  }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.record({
    sourceImageSet: fc.record({ latestVersionId: fc.oneof(fc.constant('1'), json), DICOMCopies: fc.record({ copiableAttributes: fc.oneof(document.map((d) => JSON.stringify(d) ?? ''), json) }) }, { requiredKeys: [] }),
    destinationImageSet: json,
  }, { requiredKeys: [] }).map((v) => JSON.stringify(v)),
  fc.record({ searchCriteria: json, tags: fc.dictionary(fc.string({ maxLength: 20 }), json), imageFrameInformation: json, datastoreName: json, clientToken: json }, { requiredKeys: [] })
    .map((v) => JSON.stringify(v)),
);
const query = fc.array(fc.tuple(
  fc.oneof(fc.constantFrom('latestVersion', 'version', 'force', 'maxResults', 'nextToken', 'tagKeys', 'promoteToPrimary', 'includeStudyImageSets', 'datastoreStatus', 'jobStatus'), fc.string({ maxLength: 10 })),
  fc.string({ maxLength: 30 }),
), { maxLength: 4 });
const request = fc.record({ operation: fc.constantFrom(...OPERATIONS), labels: fc.array(label, { minLength: 3, maxLength: 3 }), query, body });

describe('emulator: generated malformed requests', function () {
  this.timeout(120000);
  let h: Harness;
  before(async () => { h = await startHarness({ seed: true, updateDelayMs: 10 }); });
  after(async () => { await stopHarness(h); });

  it(`answers ${REQUESTS} generated malformed requests to every operation with a modelled answer, never a 5xx`, async () => {
    const statuses = new Map<number, number>();
    await fc.assert(fc.asyncProperty(request, async ({ operation, labels, query: params, body: text }) => {
      const [method, template] = TEMPLATES[operation] as [string, string];
      let i = 0;
      const path = template.replace(/\{\w+\}/g, () => encodeURIComponent(labels[i++] as string));
      const search = new URLSearchParams(params).toString();
      const res = await fetch(`${h.url}${path}${search ? `?${search}` : ''}`, {
        method, headers: { 'Content-Type': 'application/json' }, body: method === 'GET' ? undefined : text,
      });
      const answer = Buffer.from(await res.arrayBuffer());
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      assert.ok(res.status < 500, `${method} ${path} answered ${res.status}: ${answer.toString('utf8').slice(0, 300)}`);
      if (res.status >= 400) {
        const error = JSON.parse(answer.toString('utf8')) as { __type?: unknown; message?: unknown };
        assert.equal(typeof error.__type, 'string');
        assert.equal(typeof error.message, 'string');
        assert.equal(res.headers.get('x-amzn-errortype'), error.__type);
      }
    }), { numRuns: REQUESTS, seed: SEED, endOnFailure: true });
    const health = await (await fetch(`${h.url}/_emulator/health`)).json() as { status: string };
    assert.equal(health.status, 'ok');
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`).join(', ');
    console.log(`      [reliability] ${REQUESTS} generated malformed requests to ${OPERATIONS.length} operations (seed ${SEED}): ${byStatus}; no 5xx`);
  });
});
