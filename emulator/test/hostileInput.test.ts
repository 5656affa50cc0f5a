// Malformed and hostile input, as a reliability probe sent it: deeply nested JSON, request targets
// that are not paths, keys named like Object.prototype members (`__proto__`, `constructor`,
// `toString`) in metadata documents, copiable attributes and tags, and the documented tag-key
// pattern. Each answer is a 4xx that names the problem, or a 200 that keeps every byte of data:
// never a 500, never a 200 that drops data.
import * as assert from 'node:assert/strict';
import * as net from 'node:net';
import {
  CopyImageSetCommand, GetImageSetCommand, GetImageSetMetadataCommand, ListTagsForResourceCommand, SearchImageSetsCommand, TagResourceCommand,
  UntagResourceCommand, UpdateImageSetMetadataCommand, ValidationException,
} from '@aws-sdk/client-medical-imaging';
import { SEED_DATASTORE_ID, seedImageSetId } from '../src/server';
import { readMetadata, rejection, startHarness, stopHarness, until, type Doc, type Harness } from './helpers';

const datastoreId = SEED_DATASTORE_ID;
const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'toString'];

/** Sends raw bytes and resolves with the status line and body of the answer. */
function rawRequest(port: number, head: string, body = ''): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk) => { data += chunk; });
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1]);
      resolve({ status, body: data.slice(data.indexOf('\r\n\r\n') + 4) });
    });
    socket.end(`${head}\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
}

describe('emulator: hostile and malformed input', function () {
  this.timeout(60000);
  let h: Harness;
  before(async () => { h = await startHarness({ seed: true }); });
  after(async () => { await stopHarness(h); });

  const getImageSet = (imageSetId: string) => h.client.send(new GetImageSetCommand({ datastoreId, imageSetId }));
  const metadata = async (imageSetId: string): Promise<Doc> =>
    readMetadata((await h.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId }))).imageSetMetadataBlob as never);
  const settle = (imageSetId: string) => until(`image set ${imageSetId} to leave LOCKED`, async () => {
    const r = await getImageSet(imageSetId);
    return r.imageSetState === 'LOCKED' ? undefined : r;
  });

  describe('deeply nested JSON', () => {
    const nested = (depth: number) => `{"x":${'['.repeat(depth)}${']'.repeat(depth)}}`;

    it('refuses a valid but deeply nested SearchImageSets body with 400 ValidationException, not a 500', async () => {
      const res = await rawRequest(h.emulator.port, `POST /datastore/${datastoreId}/searchImageSets HTTP/1.1\r\nContent-Type: application/json`, nested(20000));
      assert.equal(res.status, 400, res.body);
      const error = JSON.parse(res.body) as { __type: string; message: string };
      assert.equal(error.__type, 'ValidationException');
      assert.match(error.message, /nested/);
      // The service keeps answering.
      assert.ok((await h.client.send(new SearchImageSetsCommand({ datastoreId }))).imageSetsMetadataSummaries);
    });

    it('refuses an update whose attribute document nests too deep, naming the field', async () => {
      const id = seedImageSetId(11);
      const deep = `{"SchemaVersion":1.1,"Study":{"DICOM":{"StudyDescription":${'['.repeat(10000)}${']'.repeat(10000)}}}}`;
      const error = await rejection(h.client.send(new UpdateImageSetMetadataCommand({
        datastoreId, imageSetId: id, latestVersionId: '1',
        updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: new TextEncoder().encode(deep) } },
      })));
      assert.ok(error instanceof ValidationException, `${error.name}: ${error.message}`);
      assert.match(error.message, /updatableAttributes.*nested/);
      assert.equal((await getImageSet(id)).versionId, '1', 'nothing was versioned');
    });
  });

  describe('request targets that are not paths', () => {
    for (const target of ['http://[', 'http://a:99999/datastore']) {
      it(`answers "GET ${target}" with 400, not a 500`, async () => {
        const res = await rawRequest(h.emulator.port, `GET ${target} HTTP/1.1`);
        assert.equal(res.status, 400, res.body);
        assert.match(res.body, /request target/);
      });
    }

    it('serves an absolute-form target that is a valid URL by its path', async () => {
      const res = await rawRequest(h.emulator.port, 'GET http://127.0.0.1/datastore HTTP/1.1');
      assert.equal(res.status, 200, res.body);
      assert.ok((JSON.parse(res.body) as { datastoreSummaries: unknown[] }).datastoreSummaries.length >= 1);
    });
  });

  describe('keys named like Object.prototype members', () => {
    it('copiableAttributes naming such a series is refused, and nothing is copied', async () => {
      const source = seedImageSetId(12);
      for (const key of PROTOTYPE_KEYS) {
        const copiable = `{"SchemaVersion":"1.1","Study":{"Series":{"${key}":{}}}}`;
        const error = await rejection(h.client.send(new CopyImageSetCommand({
          datastoreId, sourceImageSetId: source,
          copyImageSetInformation: { sourceImageSet: { latestVersionId: '1', DICOMCopies: { copiableAttributes: copiable } } },
        })));
        assert.ok(error instanceof ValidationException, `${key}: ${error.name}: ${error.message}`);
        assert.match(error.message, new RegExp(`series ${key} is not in the source image set`));
      }
      assert.equal((await getImageSet(source)).imageSetState, 'ACTIVE', 'the source was never locked by a copy');
    });

    it('copiableAttributes naming such an instance is refused', async () => {
      const source = seedImageSetId(13);
      const doc = await metadata(source);
      const seriesUid = Object.keys(doc.Study.Series)[0] as string;
      const copiable = `{"SchemaVersion":"1.1","Study":{"Series":{"${seriesUid}":{"Instances":{"__proto__":{}}}}}}`;
      const error = await rejection(h.client.send(new CopyImageSetCommand({
        datastoreId, sourceImageSetId: source,
        copyImageSetInformation: { sourceImageSet: { latestVersionId: '1', DICOMCopies: { copiableAttributes: copiable } } },
      })));
      assert.ok(error instanceof ValidationException, `${error.name}: ${error.message}`);
      assert.match(error.message, /instance __proto__ is not in series/);
    });

    it('an update that names such a series or instance ends UPDATE_FAILED naming it; the document is unchanged', async () => {
      const id = seedImageSetId(14);
      const before = await metadata(id);
      let version = 1;
      for (const key of PROTOTYPE_KEYS) {
        const updatable = `{"SchemaVersion":1.1,"Study":{"Series":{"${key}":{"DICOM":{"SeriesDescription":"X"}}}}}`;
        await h.client.send(new UpdateImageSetMetadataCommand({
          datastoreId, imageSetId: id, latestVersionId: String(version),
          updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: new TextEncoder().encode(updatable) } },
        }));
        version++;
        const settled = await settle(id);
        assert.equal(settled.imageSetWorkflowStatus, 'UPDATE_FAILED', key);
        assert.match(settled.message ?? '', new RegExp(`/Study/Series/${key}`), key);
      }
      const after = await metadata(id);
      assert.deepEqual(after, before);
    });

    it('such keys inside an attribute value are data: stored and read back as sent', async () => {
      const id = seedImageSetId(21);
      const item = '{"__proto__":"a","constructor":"b","toString":"c","ReferencedSOPInstanceUID":"1.2.3"}';
      const updatable = `{"SchemaVersion":1.1,"Study":{"DICOM":{"ReferencedStudySequence":[${item}]}}}`;
      const version = (await getImageSet(id)).versionId as string;
      await h.client.send(new UpdateImageSetMetadataCommand({
        datastoreId, imageSetId: id, latestVersionId: version, force: true,
        updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: new TextEncoder().encode(updatable) } },
      }));
      assert.equal((await settle(id)).imageSetWorkflowStatus, 'UPDATED');
      const stored = (await metadata(id)).Study.DICOM.ReferencedStudySequence as Doc[];
      assert.deepEqual(stored, [JSON.parse(item)]);
      assert.ok(Object.prototype.hasOwnProperty.call(stored[0], '__proto__'), '__proto__ is an own key of the item');
    });

    it('an attribute named like one is refused with a reason naming it, and nothing changes', async () => {
      const id = seedImageSetId(28);
      const before = await metadata(id);
      const version = (await getImageSet(id)).versionId as string;
      await h.client.send(new UpdateImageSetMetadataCommand({
        datastoreId, imageSetId: id, latestVersionId: version, force: true,
        updateImageSetMetadataUpdates: { DICOMUpdates: { updatableAttributes: new TextEncoder().encode('{"SchemaVersion":1.1,"Patient":{"DICOM":{"__proto__":"X"}}}') } },
      }));
      const settled = await settle(id);
      assert.equal(settled.imageSetWorkflowStatus, 'UPDATE_FAILED');
      assert.match(settled.message ?? '', /\(\/Patient\/DICOM\/__proto__\)/);
      assert.deepEqual(await metadata(id), before);
    });

    it('tags with such keys are stored and listed like any other, and can be removed', async () => {
      // Over plain HTTP: the SDK's own JSON handling drops a `__proto__` map key on the client side.
      const arn = `arn:aws:medical-imaging:us-east-1:123456789012:datastore/${datastoreId}`;
      const tagsUrl = `${h.url}/tags/${encodeURIComponent(arn)}`;
      const tagged = await fetch(tagsUrl, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"tags":{"__proto__":"p","constructor":"c","toString":"t"}}' });
      assert.equal(tagged.status, 200, await tagged.text());
      const listed = (JSON.parse(await (await fetch(tagsUrl)).text()) as { tags: Doc }).tags;
      for (const [key, value] of [['__proto__', 'p'], ['constructor', 'c'], ['toString', 't']]) {
        assert.ok(Object.prototype.hasOwnProperty.call(listed, key), `${key} is listed`);
        assert.equal(listed[key as string], value);
      }
      const untagged = await fetch(`${tagsUrl}?${PROTOTYPE_KEYS.map((k) => `tagKeys=${encodeURIComponent(k)}`).join('&')}`, { method: 'DELETE' });
      assert.equal(untagged.status, 200, await untagged.text());
      const left = (await h.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags as Doc;
      for (const key of PROTOTYPE_KEYS) assert.ok(!Object.prototype.hasOwnProperty.call(left, key), `${key} is removed`);
      assert.equal(left.purpose, 'sample-data', 'the other tags stay');
    });
  });

  describe('tag keys follow the documented pattern (?!aws:)[a-zA-Z+-=._:/]+', () => {
    const arn = () => `arn:aws:medical-imaging:us-east-1:123456789012:datastore/${datastoreId}`;

    it('accepts digits and the other characters of the range +-= (env2, a,b, x<y)', async () => {
      const tags = { env2: 'x', 'cost,center': 'y', 'a<b;c': 'z', 'team/ml:7': 'w' };
      await h.client.send(new TagResourceCommand({ resourceArn: arn(), tags }));
      const listed = (await h.client.send(new ListTagsForResourceCommand({ resourceArn: arn() }))).tags as Doc;
      for (const [k, v] of Object.entries(tags)) assert.equal(listed[k], v, k);
      await h.client.send(new UntagResourceCommand({ resourceArn: arn(), tagKeys: Object.keys(tags) }));
    });

    it('refuses keys outside it, and the aws: prefix, quoting the pattern as documented', async () => {
      for (const key of ['aws:owner', 'has space', 'emoji\u{1F600}', 'percent%', '']) {
        const error = await rejection(h.client.send(new TagResourceCommand({ resourceArn: arn(), tags: { [key]: 'v' } })));
        assert.ok(error instanceof ValidationException, `${JSON.stringify(key)}: ${error.name}`);
      }
      const error = await rejection(h.client.send(new TagResourceCommand({ resourceArn: arn(), tags: { 'aws:owner': 'v' } })));
      assert.match(error.message, /Member must satisfy regular expression pattern: \(\?!aws:\)\[a-zA-Z\+-=\._:\/\]\+/);
    });
  });
});
