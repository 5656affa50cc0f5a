// Conformance: data stores, tags and the wire format, through the real SDK over HTTP.
import * as assert from 'node:assert/strict';
import {
  CreateDatastoreCommand, DeleteDatastoreCommand, GetDatastoreCommand, ListDatastoresCommand, ListTagsForResourceCommand,
  TagResourceCommand, UntagResourceCommand, paginateListDatastores, ValidationException, ResourceNotFoundException,
  ConflictException, ServiceQuotaExceededException, AccessDeniedException, InternalServerException, ThrottlingException,
} from '@aws-sdk/client-medical-imaging';
import { until, rejection, startHarness, stopHarness, type Harness } from './helpers';

describe('emulator: data stores, tags and wire format', () => {
  let h: Harness;
  before(async () => { h = await startHarness(); });
  after(async () => { await stopHarness(h); });

  const active = (datastoreId: string) => until(`datastore ${datastoreId} ACTIVE`, async () => {
    const r = await h.client.send(new GetDatastoreCommand({ datastoreId }));
    return r.datastoreProperties?.datastoreStatus === 'ACTIVE' ? r.datastoreProperties : undefined;
  });

  it('creates a data store CREATING, then ACTIVE, with ARN, epoch-second timestamps and the default storage format', async () => {
    const before = Date.now() / 1000;
    const created = await h.client.send(new CreateDatastoreCommand({ datastoreName: 'first-store', clientToken: 'token-1' }));
    assert.match(created.datastoreId ?? '', /^[0-9a-z]{32}$/);
    assert.equal(created.datastoreStatus, 'CREATING');
    const p = await active(created.datastoreId as string);
    assert.equal(p.datastoreName, 'first-store');
    assert.equal(p.losslessStorageFormat, 'HTJ2K');
    assert.equal(p.datastoreArn, `arn:aws:medical-imaging:us-east-1:123456789012:datastore/${created.datastoreId}`);
    assert.ok(p.createdAt instanceof Date);
    assert.ok(Math.abs((p.createdAt as Date).getTime() / 1000 - before) < 60, 'createdAt is now, in epoch seconds');
  });

  it('answers the same data store for a repeated clientToken (idempotent)', async () => {
    const a = await h.client.send(new CreateDatastoreCommand({ datastoreName: 'idem', clientToken: 'same-token' }));
    const b = await h.client.send(new CreateDatastoreCommand({ datastoreName: 'idem', clientToken: 'same-token' }));
    assert.equal(a.datastoreId, b.datastoreId);
    const e = await rejection(h.client.send(new CreateDatastoreCommand({ datastoreName: 'other-name', clientToken: 'same-token' })));
    assert.ok(e instanceof ConflictException, e.name);
  });

  it('rejects invalid names and formats with ValidationException naming the field', async () => {
    const e = await rejection(h.client.send(new CreateDatastoreCommand({ datastoreName: 'bad name!', clientToken: 't2' })));
    assert.ok(e instanceof ValidationException);
    assert.equal(e.$metadata?.httpStatusCode, 400);
    assert.match(e.message, /datastoreName/);
    const f = await rejection(h.client.send(new CreateDatastoreCommand({ datastoreName: 'ok', clientToken: 't3', losslessStorageFormat: 'PNG' as never })));
    assert.match(f.message, /losslessStorageFormat/);
  });

  it('lists data stores page by page to the end, and filters by status', async () => {
    const ids = new Set<string>();
    for (let i = 0; i < 3; i++) {
      const r = await h.client.send(new CreateDatastoreCommand({ datastoreName: `paged-${i}`, clientToken: `paged-${i}` }));
      ids.add(r.datastoreId as string);
    }
    for (const id of ids) await active(id);
    const seen: string[] = [];
    let pages = 0;
    for await (const p of paginateListDatastores({ client: h.client, pageSize: 2 }, {})) {
      pages++;
      assert.ok((p.datastoreSummaries ?? []).length <= 2);
      for (const d of p.datastoreSummaries ?? []) seen.push(d.datastoreId as string);
    }
    assert.equal(new Set(seen).size, seen.length, 'no data store twice');
    for (const id of ids) assert.ok(seen.includes(id));
    assert.ok(pages >= 3);
    const creating = await h.client.send(new ListDatastoresCommand({ datastoreStatus: 'CREATING' }));
    assert.deepEqual(creating.datastoreSummaries, []);
  });

  it('validates maxResults and nextToken', async () => {
    const e = await rejection(h.client.send(new ListDatastoresCommand({ maxResults: 51 })));
    assert.ok(e instanceof ValidationException);
    assert.match(e.message, /maxResults/);
    const t = await rejection(h.client.send(new ListDatastoresCommand({ nextToken: 'not-a-token' })));
    assert.match(t.message, /nextToken/);
  });

  it('gives ResourceNotFoundException for an unknown data store and ValidationException for a malformed id', async () => {
    const e = await rejection(h.client.send(new GetDatastoreCommand({ datastoreId: 'f'.repeat(32) })));
    assert.ok(e instanceof ResourceNotFoundException);
    assert.equal(e.$metadata?.httpStatusCode, 404);
    const v = await rejection(h.client.send(new GetDatastoreCommand({ datastoreId: 'NOT-AN-ID' })));
    assert.ok(v instanceof ValidationException);
    assert.match(v.message, /datastoreId/);
  });

  it('deletes a data store: DELETING, then DELETED', async () => {
    const { datastoreId } = await h.client.send(new CreateDatastoreCommand({ datastoreName: 'to-delete', clientToken: 'del-1' }));
    await active(datastoreId as string);
    const d = await h.client.send(new DeleteDatastoreCommand({ datastoreId }));
    assert.equal(d.datastoreStatus, 'DELETING');
    await until('DELETED', async () => {
      const r = await h.client.send(new GetDatastoreCommand({ datastoreId }));
      return r.datastoreProperties?.datastoreStatus === 'DELETED' ? true : undefined;
    });
    const listed = await h.client.send(new ListDatastoresCommand({ datastoreStatus: 'DELETED' }));
    assert.ok(listed.datastoreSummaries?.some((s) => s.datastoreId === datastoreId));
  });

  it('tags a data store: tag, list, untag (the ARN travels URL-encoded in the path)', async () => {
    const { datastoreId } = await h.client.send(new CreateDatastoreCommand({ datastoreName: 'tagged', clientToken: 'tag-1', tags: { team: 'radiology' } }));
    const p = await active(datastoreId as string);
    const arn = p.datastoreArn as string;
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { team: 'radiology' });
    await h.client.send(new TagResourceCommand({ resourceArn: arn, tags: { env: 'test', owner: 'me' } }));
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { team: 'radiology', env: 'test', owner: 'me' });
    await h.client.send(new UntagResourceCommand({ resourceArn: arn, tagKeys: ['team', 'owner'] }));
    assert.deepEqual((await h.client.send(new ListTagsForResourceCommand({ resourceArn: arn }))).tags, { env: 'test' });
  });

  it('rejects bad tags and unknown resources', async () => {
    const { datastoreId } = await h.client.send(new CreateDatastoreCommand({ datastoreName: 'tagged2', clientToken: 'tag-2' }));
    const arn = (await active(datastoreId as string)).datastoreArn as string;
    const bad = await rejection(h.client.send(new TagResourceCommand({ resourceArn: arn, tags: { 'aws:reserved': 'x' } })));
    assert.ok(bad instanceof ValidationException);
    assert.match(bad.message, /tags/);
    const many: Record<string, string> = {};
    for (let i = 0; i < 51; i++) many[`k${i}`] = 'v';
    const tooMany = await rejection(h.client.send(new TagResourceCommand({ resourceArn: arn, tags: many })));
    assert.ok(tooMany instanceof ValidationException);
    const missing = await rejection(h.client.send(new ListTagsForResourceCommand({ resourceArn: arn.replace(/datastore\/.*/, `datastore/${'0'.repeat(32)}`) })));
    assert.ok(missing instanceof ResourceNotFoundException);
    const malformed = await rejection(h.client.send(new ListTagsForResourceCommand({ resourceArn: 'arn:aws:s3:::bucket' })));
    assert.ok(malformed instanceof ValidationException);
    assert.match(malformed.message, /resourceArn/);
  });

  it('enforces the data store quota with ServiceQuotaExceededException (402)', async () => {
    let e: Error | undefined;
    for (let i = 0; i < 12 && !e; i++) {
      try {
        await h.client.send(new CreateDatastoreCommand({ datastoreName: `quota-${i}`, clientToken: `quota-${i}` }));
      } catch (x) {
        e = x as Error;
      }
    }
    assert.ok(e instanceof ServiceQuotaExceededException, String(e));
    assert.equal((e as ServiceQuotaExceededException).$metadata.httpStatusCode, 402);
  });

  it('speaks the documented error wire format (status, x-amzn-errortype, {"__type","message"})', async () => {
    const r = await fetch(`${h.url}/datastore/${'0'.repeat(32)}`);
    assert.equal(r.status, 404);
    assert.equal(r.headers.get('x-amzn-errortype'), 'ResourceNotFoundException');
    assert.match(r.headers.get('content-type') ?? '', /application\/json/);
    assert.ok(r.headers.get('x-amzn-requestid'));
    const body = await r.json() as { __type: string; message: string };
    assert.equal(body.__type, 'ResourceNotFoundException');
    assert.match(body.message, /does not exist/);
    const unknown = await fetch(`${h.url}/no/such/operation`, { method: 'POST' });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.headers.get('x-amzn-errortype'), 'UnknownOperationException');
    const badJson = await fetch(`${h.url}/datastore`, { method: 'POST', body: '{not json', headers: { 'content-type': 'application/json' } });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.headers.get('x-amzn-errortype'), 'SerializationException');
  });

  it('every modelled error type reaches the SDK as its exception class and status (errorNext fault)', async () => {
    const datastoreId = (await h.client.send(new ListDatastoresCommand({}))).datastoreSummaries?.[0]?.datastoreId as string;
    assert.ok(datastoreId);
    const cases: Array<[string, new (...a: never[]) => Error, number]> = [
      ['ValidationException', ValidationException, 400], ['ServiceQuotaExceededException', ServiceQuotaExceededException, 402],
      ['AccessDeniedException', AccessDeniedException, 403], ['ResourceNotFoundException', ResourceNotFoundException, 404],
      ['ConflictException', ConflictException, 409], ['ThrottlingException', ThrottlingException, 429],
      ['InternalServerException', InternalServerException, 500],
    ];
    for (const [type, cls, status] of cases) {
      h.emulator.faults.errorNext('GetDatastore', type, 1, `injected ${type}`);
      const e = await rejection(h.client.send(new GetDatastoreCommand({ datastoreId })));
      assert.ok(e instanceof cls, `${type}: got ${e.name}`);
      assert.equal(e.$metadata?.httpStatusCode, status, type);
      assert.equal(e.message, `injected ${type}`);
    }
    const res = await fetch(`${h.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ errorNext: { operation: 'GetDatastore', type: 'AccessDeniedException' } }) });
    assert.equal(res.status, 200);
    assert.ok((await rejection(h.client.send(new GetDatastoreCommand({ datastoreId })))) instanceof AccessDeniedException);
    assert.equal((await h.client.send(new GetDatastoreCommand({ datastoreId }))).datastoreProperties?.datastoreId, datastoreId, 'only the next call');
    assert.throws(() => h.emulator.faults.errorNext('GetDatastore', 'TeapotException', 1), /unknown error type 'TeapotException'/);
  });

  it('answers health and fault requests on /_emulator/ paths', async () => {
    const health = await (await fetch(`${h.url}/_emulator/health`)).json() as { status: string };
    assert.equal(health.status, 'ok');
    const bad = await fetch(`${h.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ throttleNext: { operation: 'NoSuchOp', count: 1 } }) });
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as { message: string }).message, /NoSuchOp/);
  });
});
