// The HealthImaging operations over the store: data stores, image sets and their versions,
// the asynchronous state machine (LOCKED -> ACTIVE after a delay), updates through core's
// rules, revert, copy, delete, search and tags. Import jobs live in importJobs.ts.
import { randomBytes, createHash } from 'node:crypto';
import { describeHierarchyConflicts, findHierarchyConflicts, studyInstanceUidOf } from '../../src/core/hierarchy';
import { hasOwn, setOwn } from '../../src/core/json';
import { applyMetadataUpdate, checkMetadataUpdate, type MetadataUpdate } from '../../src/core/metadataUpdate';
import { parseSearchCriteria, runSearch, summarize, type Searchable } from './search';
import {
  Store, type DatastoreRecord, type ImageSetRecord, type VersionRecord, type WorkflowStatus,
} from './store';
import {
  ApiError, conflict, constraintError, epochSeconds, ID, KMS_ARN, LAMBDA_ARN, NAME, CLIENT_TOKEN, notFound, page,
  queryBoolean, queryMaxResults, requireEnum, requireId, requireObject, requireShallowJson, requireString, TAG_KEY, validation, VERSION_ID,
} from './wire';

export type Json = Record<string, unknown>;

export interface ServiceRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  region: string;
}

export type ServiceResponse = { json: unknown } | { bytes: Buffer; headers: Record<string, string> };

export interface ServiceSettings {
  updateDelayMs: number;
  maxAttributeBytes: number;
  maxDatastores: number;
  accountId: string;
  failUpdates: { count: number; message?: string };
  /** The next `count` copies end COPY_FAILED (a fault for tests). */
  failCopies: { count: number; message?: string };
  log: (line: string) => void;
}

export const MAX_TAGS = 50;
/** setTimeout's longest delay; a later due time is re-armed when this one fires (see `early`). */
const MAX_TIMER_MS = 2 ** 31 - 1;
const MESSAGE_MAX = 2048;

export const newId = (): string => randomBytes(16).toString('hex');
/** A stable id derived from a name, for seeded data (32 chars of [0-9a-f]). */
export const stableId = (name: string): string => createHash('sha256').update(name).digest('hex').slice(0, 32);

const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const clip = (m: string): string => (m.length > MESSAGE_MAX ? `${m.slice(0, MESSAGE_MAX - 3)}...` : m);

/** The GetImageFrame content type of a stored transfer syntax (as the service model documents it). */
export function frameContentType(transferSyntax: unknown): string {
  const ts = typeof transferSyntax === 'string' ? transferSyntax : undefined;
  if (ts === undefined || ts === '1.2.840.10008.1.2.4.202' || ts === '1.2.840.10008.1.2.4.201') return 'image/jph';
  if (ts === '1.2.840.10008.1.2.4.203') return 'image/jphc';
  if (ts === '1.2.840.10008.1.2.4.50') return 'image/jpeg';
  if (ts === '1.2.840.10008.1.2.4.90' || ts === '1.2.840.10008.1.2.4.91') return 'image/j2c';
  if (['1.2.840.10008.1.2.4.100', '1.2.840.10008.1.2.4.100.1', '1.2.840.10008.1.2.4.101', '1.2.840.10008.1.2.4.101.1'].includes(ts)) return 'video/mpeg';
  if (/^1\.2\.840\.10008\.1\.2\.4\.10[2-6](\.1)?$/.test(ts)) return 'video/mp4';
  if (ts === '1.2.840.10008.1.2.4.107' || ts === '1.2.840.10008.1.2.4.108') return 'video/H256';
  if (ts === '1.2.840.10008.1.2.4.112') return 'image/jxl';
  return 'application/octet-stream';
}

/** Frame id -> content type for every frame a document names. */
export function framesOfDocument(doc: unknown): Map<string, string> {
  const out = new Map<string, string>();
  for (const series of Object.values(obj(obj(obj(doc).Study).Series))) {
    for (const instance of Object.values(obj(obj(series).Instances))) {
      const inst = obj(instance);
      const frames = Array.isArray(inst.ImageFrames) ? inst.ImageFrames : [];
      for (const f of frames) {
        const id = obj(f).ID;
        if (typeof id === 'string') out.set(id, frameContentType(inst.StoredTransferSyntaxUID));
      }
    }
  }
  return out;
}

/** A document with the service-generated keys first, as the service returns it. */
export function withIds(metadata: Json, datastoreId: string, imageSetId: string): Json {
  const { SchemaVersion, DatastoreID: _d, ImageSetID: _i, ...rest } = metadata;
  return { SchemaVersion: SchemaVersion ?? '1.1', DatastoreID: datastoreId, ImageSetID: imageSetId, ...rest };
}

export class Service {
  private readonly timers = new Set<NodeJS.Timeout>();
  private closed = false;

  constructor(readonly store: Store, readonly settings: ServiceSettings) {}

  // --- scheduling of asynchronous transitions (persisted as due times, resumed after a restart)

  schedule(dueAt: number, fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => {
      this.timers.delete(t);
      if (this.closed) return;
      try {
        fn();
      } catch (e) {
        this.settings.log(`[emulator] internal error in a scheduled transition: ${(e as Error).message}`);
      }
    }, Math.min(MAX_TIMER_MS, Math.max(0, dueAt - Date.now())));
    this.timers.add(t);
  }

  close(): void {
    this.closed = true;
    this.clearTimers();
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }

  private readonly resumers: Array<() => void> = [];

  /** Registers how another part (import jobs) re-arms its pending transitions from the records. */
  addResumer(fn: () => void): void {
    this.resumers.push(fn);
  }

  /** Arms the timers of every pending transition from the records (their due times are the truth). */
  resume(): void {
    for (const d of this.store.datastores.values()) if (d.dueAt !== undefined) this.schedule(d.dueAt, () => this.finishDatastore(d.datastoreId));
    for (const s of this.store.imageSets.values()) if (s.lockDueAt !== undefined) this.schedule(s.lockDueAt, () => this.finishImageSet(s.imageSetId));
    for (const r of this.resumers) r();
  }

  /** Pending transitions finish no later than `cutoff` (a shorter update delay also applies to them). */
  hurry(cutoff: number): void {
    let changed = false;
    for (const d of this.store.datastores.values()) if (d.dueAt !== undefined && d.dueAt > cutoff) { d.dueAt = cutoff; changed = true; }
    for (const s of this.store.imageSets.values()) if (s.lockDueAt !== undefined && s.lockDueAt > cutoff) { s.lockDueAt = cutoff; changed = true; }
    for (const j of this.store.jobs.values()) if (j.dueAt !== undefined && j.dueAt > cutoff) { j.dueAt = cutoff; changed = true; }
    if (!changed) return;
    this.store.save();
    this.clearTimers();
    this.resume();
  }

  /** True (and re-armed) when a timer fired before the record's due time. */
  early(dueAt: number, fn: () => void): boolean {
    if (dueAt <= Date.now()) return false;
    this.schedule(dueAt, fn);
    return true;
  }

  private dueAt(): number {
    return Date.now() + this.settings.updateDelayMs;
  }

  // --- ARNs

  datastoreArn(region: string, datastoreId: string): string {
    return `arn:aws:medical-imaging:${region}:${this.settings.accountId}:datastore/${datastoreId}`;
  }

  imageSetArn(region: string, datastoreId: string, imageSetId: string): string {
    return `${this.datastoreArn(region, datastoreId)}/imageset/${imageSetId}`;
  }

  // --- data stores

  datastore(datastoreId: string, mustBeActive = false): DatastoreRecord {
    const d = this.store.datastores.get(datastoreId);
    if (!d) throw notFound(`Datastore ${datastoreId} does not exist`);
    if (mustBeActive && d.datastoreStatus !== 'ACTIVE') throw conflict(`Datastore ${datastoreId} is ${d.datastoreStatus}, not ACTIVE`);
    return d;
  }

  createDatastore(req: ServiceRequest): ServiceResponse {
    const body = requireObject(req.body ?? {}, 'body') as Json;
    const datastoreName = requireString(body.datastoreName, 'datastoreName', { min: 1, max: 256, pattern: NAME, required: false });
    const clientToken = requireString(body.clientToken, 'clientToken', { min: 1, max: 64, pattern: CLIENT_TOKEN });
    const kmsKeyArn = requireString(body.kmsKeyArn, 'kmsKeyArn', { min: 1, max: 512, pattern: KMS_ARN, required: false });
    const lambdaAuthorizerArn = requireString(body.lambdaAuthorizerArn, 'lambdaAuthorizerArn', { min: 1, max: 256, pattern: LAMBDA_ARN, required: false });
    const losslessStorageFormat = requireEnum(body.losslessStorageFormat, 'losslessStorageFormat', ['HTJ2K', 'JPEG_2000_LOSSLESS'] as const, false) ?? 'HTJ2K';
    const tags = this.parseTags(body.tags, 'tags', false);
    for (const d of this.store.datastores.values()) {
      if (d.clientToken === clientToken) {
        if (d.datastoreName !== (datastoreName ?? d.datastoreId)) throw conflict(`clientToken ${clientToken} was already used with different parameters`);
        return { json: { datastoreId: d.datastoreId, datastoreStatus: d.datastoreStatus } };
      }
    }
    const live = [...this.store.datastores.values()].filter((d) => d.datastoreStatus !== 'DELETED').length;
    if (live >= this.settings.maxDatastores) {
      throw new ApiError('ServiceQuotaExceededException', `The account already has ${live} data stores; the quota is ${this.settings.maxDatastores}`);
    }
    const now = Date.now();
    const datastoreId = newId();
    const d: DatastoreRecord = {
      datastoreId, datastoreName: datastoreName ?? datastoreId, datastoreStatus: 'CREATING', createdAt: now, updatedAt: now,
      clientToken, kmsKeyArn, lambdaAuthorizerArn, losslessStorageFormat, tags: tags ?? {}, dueAt: this.dueAt(),
    };
    this.store.datastores.set(datastoreId, d);
    this.store.save();
    this.schedule(d.dueAt as number, () => this.finishDatastore(datastoreId));
    return { json: { datastoreId, datastoreStatus: d.datastoreStatus } };
  }

  private finishDatastore(datastoreId: string): void {
    const d = this.store.datastores.get(datastoreId);
    if (!d || d.dueAt === undefined || this.early(d.dueAt, () => this.finishDatastore(datastoreId))) return;
    d.datastoreStatus = d.datastoreStatus === 'CREATING' ? 'ACTIVE' : d.datastoreStatus === 'DELETING' ? 'DELETED' : d.datastoreStatus;
    d.updatedAt = Date.now();
    delete d.dueAt;
    this.store.save();
    this.settings.log(`[emulator] datastore ${datastoreId} is ${d.datastoreStatus}`);
  }

  private datastoreProperties(d: DatastoreRecord, region: string): Json {
    return {
      datastoreId: d.datastoreId, datastoreName: d.datastoreName, datastoreStatus: d.datastoreStatus,
      kmsKeyArn: d.kmsKeyArn, lambdaAuthorizerArn: d.lambdaAuthorizerArn, losslessStorageFormat: d.losslessStorageFormat,
      datastoreArn: this.datastoreArn(region, d.datastoreId), createdAt: epochSeconds(d.createdAt), updatedAt: epochSeconds(d.updatedAt),
    };
  }

  getDatastore(req: ServiceRequest): ServiceResponse {
    const d = this.datastore(requireId(req.params.datastoreId, 'datastoreId'));
    return { json: { datastoreProperties: this.datastoreProperties(d, req.region) } };
  }

  listDatastores(req: ServiceRequest): ServiceResponse {
    const status = requireEnum(req.query.get('datastoreStatus') ?? undefined, 'datastoreStatus', ['CREATING', 'CREATE_FAILED', 'ACTIVE', 'DELETING', 'DELETED'] as const, false);
    const maxResults = queryMaxResults(req.query.get('maxResults'));
    const all = [...this.store.datastores.values()]
      .filter((d) => (status ? d.datastoreStatus === status : d.datastoreStatus !== 'DELETED'))
      .sort((a, b) => a.createdAt - b.createdAt || (a.datastoreId < b.datastoreId ? -1 : 1));
    const p = page(all, req.query.get('nextToken'), maxResults, { op: 'ListDatastores', status });
    return {
      json: {
        datastoreSummaries: p.items.map((d) => ({
          datastoreId: d.datastoreId, datastoreName: d.datastoreName, datastoreStatus: d.datastoreStatus,
          datastoreArn: this.datastoreArn(req.region, d.datastoreId), createdAt: epochSeconds(d.createdAt), updatedAt: epochSeconds(d.updatedAt),
        })),
        nextToken: p.nextToken,
      },
    };
  }

  deleteDatastore(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const d = this.datastore(datastoreId);
    if (d.datastoreStatus === 'DELETING' || d.datastoreStatus === 'DELETED') return { json: { datastoreId, datastoreStatus: d.datastoreStatus } };
    if (d.datastoreStatus !== 'ACTIVE' && d.datastoreStatus !== 'CREATE_FAILED') throw conflict(`Datastore ${datastoreId} is ${d.datastoreStatus}; it can be deleted once it is ACTIVE`);
    const remaining = [...this.store.imageSets.values()].filter((s) => s.datastoreId === datastoreId && s.state !== 'DELETED').length;
    if (remaining > 0) throw conflict(`Datastore ${datastoreId} still has ${remaining} image sets; delete them first`);
    const running = [...this.store.jobs.values()].some((j) => j.datastoreId === datastoreId && (j.jobStatus === 'SUBMITTED' || j.jobStatus === 'IN_PROGRESS'));
    if (running) throw conflict(`Datastore ${datastoreId} has import jobs in progress`);
    d.datastoreStatus = 'DELETING';
    d.updatedAt = Date.now();
    d.dueAt = this.dueAt();
    this.store.save();
    this.schedule(d.dueAt, () => this.finishDatastore(datastoreId));
    return { json: { datastoreId, datastoreStatus: d.datastoreStatus } };
  }

  // --- image sets: lookup, properties

  imageSet(datastoreId: string, imageSetId: string, allowDeleted = false): ImageSetRecord {
    this.datastore(datastoreId);
    const s = this.store.imageSets.get(imageSetId);
    if (!s || s.datastoreId !== datastoreId) throw notFound(`Image set ${imageSetId} does not exist in datastore ${datastoreId}`);
    if (!allowDeleted && s.state === 'DELETED') throw notFound(`Image set ${imageSetId} was deleted`);
    return s;
  }

  private latest(s: ImageSetRecord): VersionRecord {
    return s.versions[s.versions.length - 1] as VersionRecord;
  }

  private version(s: ImageSetRecord, raw: string | null, field = 'versionId'): VersionRecord {
    if (raw === null) return this.latest(s);
    requireString(raw, field, { pattern: VERSION_ID });
    const v = s.versions[Number(raw) - 1];
    if (!v || v.versionId !== Number(raw)) throw notFound(`Version ${raw} of image set ${s.imageSetId} does not exist (latest is ${this.latest(s).versionId})`);
    return v;
  }

  private workflowOf(s: ImageSetRecord, v: VersionRecord): WorkflowStatus {
    return v === this.latest(s) && s.workflowOverride ? s.workflowOverride : v.status;
  }

  private stateOf(s: ImageSetRecord, v: VersionRecord): string {
    return v === this.latest(s) || s.state === 'DELETED' ? s.state : 'ACTIVE';
  }

  getImageSet(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const imageSetId = requireId(req.params.imageSetId, 'imageSetId');
    const s = this.imageSet(datastoreId, imageSetId, true);
    const v = this.version(s, req.query.get('version'));
    return {
      json: {
        datastoreId, imageSetId, versionId: String(v.versionId), imageSetState: this.stateOf(s, v), imageSetWorkflowStatus: this.workflowOf(s, v),
        createdAt: epochSeconds(s.createdAt), updatedAt: epochSeconds(v === this.latest(s) ? s.updatedAt : v.updatedAt), deletedAt: epochSeconds(s.deletedAt),
        message: v.message, imageSetArn: this.imageSetArn(req.region, datastoreId, imageSetId), overrides: v.forced ? { forced: true } : undefined,
        isPrimary: s.isPrimary, lastAccessedAt: epochSeconds(s.lastAccessedAt), storageTier: 'FREQUENT_ACCESS',
      },
    };
  }

  getImageSetMetadata(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const imageSetId = requireId(req.params.imageSetId, 'imageSetId');
    const s = this.imageSet(datastoreId, imageSetId);
    const v = this.version(s, req.query.get('version'));
    s.lastAccessedAt = Date.now();
    return { bytes: this.store.gzipOf(v.content), headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' } };
  }

  getImageFrame(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const imageSetId = requireId(req.params.imageSetId, 'imageSetId');
    const info = requireObject(req.body, 'imageFrameInformation') as Json;
    const imageFrameId = requireString(info.imageFrameId, 'imageFrameInformation.imageFrameId', { pattern: ID }) as string;
    const s = this.imageSet(datastoreId, imageSetId);
    const frame = s.frameIds.includes(imageFrameId) ? this.store.frame(imageFrameId) : undefined;
    if (!frame) throw notFound(`Image frame ${imageFrameId} does not exist in image set ${imageSetId}`);
    s.lastAccessedAt = Date.now();
    return { bytes: frame.bytes, headers: { 'Content-Type': frame.contentType } };
  }

  listImageSetVersions(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const imageSetId = requireId(req.params.imageSetId, 'imageSetId');
    const maxResults = queryMaxResults(req.query.get('maxResults'));
    const s = this.imageSet(datastoreId, imageSetId, true);
    const newestFirst = [...s.versions].reverse();
    const p = page(newestFirst, req.query.get('nextToken'), maxResults, { op: 'ListImageSetVersions', imageSetId });
    return {
      json: {
        imageSetPropertiesList: p.items.map((v) => ({
          imageSetId, versionId: String(v.versionId), imageSetState: this.stateOf(s, v), ImageSetWorkflowStatus: this.workflowOf(s, v),
          createdAt: epochSeconds(s.createdAt), updatedAt: epochSeconds(v.updatedAt), deletedAt: epochSeconds(s.deletedAt),
          message: v.message, overrides: v.forced ? { forced: true } : undefined, isPrimary: s.isPrimary,
        })),
        nextToken: p.nextToken,
      },
    };
  }

  // --- creating image sets (seed, import, copy)

  /** Stores a document; returns its content key. */
  putDocument(doc: Json): string {
    return this.store.putContent(JSON.stringify(doc), summarize(doc));
  }

  addImageSet(args: {
    datastoreId: string; imageSetId: string; metadata: Json; isPrimary: boolean; createdAt: number; updatedAt: number;
    status: WorkflowStatus; frames: { id: string; bytes: Uint8Array }[];
  }): ImageSetRecord {
    const doc = withIds(args.metadata, args.datastoreId, args.imageSetId);
    const types = framesOfDocument(doc);
    this.store.putFrames(args.frames.map((f) => ({ id: f.id, bytes: f.bytes, contentType: types.get(f.id) ?? 'application/octet-stream' })));
    const content = this.putDocument(doc);
    const s: ImageSetRecord = {
      imageSetId: args.imageSetId, datastoreId: args.datastoreId, createdAt: args.createdAt, updatedAt: args.updatedAt,
      isPrimary: args.isPrimary, state: 'ACTIVE', versions: [{ versionId: 1, status: args.status, createdAt: args.createdAt, updatedAt: args.updatedAt, content }],
      frameIds: args.frames.map((f) => f.id), tags: {},
    };
    this.store.imageSets.set(s.imageSetId, s);
    return s;
  }

  /** Adds a version to an image set from an import (re-import of instances into a primary image set). */
  addImportedVersion(s: ImageSetRecord, doc: Json, frames: { id: string; bytes: Uint8Array }[]): void {
    const types = framesOfDocument(doc);
    this.store.putFrames(frames.map((f) => ({ id: f.id, bytes: f.bytes, contentType: types.get(f.id) ?? 'application/octet-stream' })));
    const now = Date.now();
    s.versions.push({ versionId: s.versions.length + 1, status: 'IMPORTED', createdAt: now, updatedAt: now, content: this.putDocument(doc) });
    s.frameIds = [...new Set([...s.frameIds, ...frames.map((f) => f.id)])];
    s.updatedAt = now;
  }

  document(s: ImageSetRecord, v: VersionRecord = this.latest(s)): Json {
    return JSON.parse(this.store.textOf(v.content)) as Json;
  }

  /** Starts an asynchronous operation: a new version, LOCKED, finished after the delay. */
  private beginVersion(s: ImageSetRecord, status: WorkflowStatus, final: WorkflowStatus, failStatus: WorkflowStatus,
    outcome: { content?: string; fail?: string }, forced: boolean): VersionRecord {
    const now = Date.now();
    const previous = this.latest(s);
    const v: VersionRecord = {
      versionId: previous.versionId + 1, status, createdAt: now, updatedAt: now, content: previous.content,
      pendingContent: outcome.content, pending: { fail: outcome.fail === undefined ? undefined : clip(outcome.fail), final, failStatus },
    };
    if (forced) v.forced = true;
    s.versions.push(v);
    s.state = 'LOCKED';
    s.updatedAt = now;
    s.lockDueAt = this.dueAt();
    const id = s.imageSetId;
    this.schedule(s.lockDueAt, () => this.finishImageSet(id));
    return v;
  }

  private lock(s: ImageSetRecord, workflow: WorkflowStatus): void {
    s.state = 'LOCKED';
    s.workflowOverride = workflow;
    s.lockDueAt = this.dueAt();
    const id = s.imageSetId;
    this.schedule(s.lockDueAt, () => this.finishImageSet(id));
  }

  /** Ends whatever locked the image set: a pending version, a copy reading it, or a deletion. */
  finishImageSet(imageSetId: string): void {
    const s = this.store.imageSets.get(imageSetId);
    if (!s || s.lockDueAt === undefined || this.early(s.lockDueAt, () => this.finishImageSet(imageSetId))) return;
    const now = Date.now();
    const v = this.latest(s);
    if (v.pending) {
      if (v.pending.fail !== undefined || v.pendingContent === undefined) {
        v.status = v.pending.failStatus;
        v.message = v.pending.fail ?? 'INTERNAL_ERROR: the operation did not produce a document';
      } else {
        v.status = v.pending.final;
        v.content = v.pendingContent;
        // promoteToPrimary takes effect only with a copy that succeeded
        if (v.pending.promote) s.isPrimary = true;
      }
      delete v.pending;
      delete v.pendingContent;
      v.updatedAt = now;
    }
    if (s.workflowOverride === 'DELETING') {
      s.state = 'DELETED';
      s.workflowOverride = 'DELETED';
      s.deletedAt = now;
    } else {
      s.state = 'ACTIVE';
      delete s.workflowOverride;
    }
    delete s.lockDueAt;
    s.updatedAt = now;
    this.store.save();
    this.settings.log(`[emulator] image set ${imageSetId} version ${v.versionId} is ${s.state}/${this.workflowOf(s, v)}`);
  }

  /** The primary image sets (not deleted) of a study in a data store, but `exclude`. */
  private primariesOfStudy(datastoreId: string, studyInstanceUID: string | undefined, exclude: readonly ImageSetRecord[]): ImageSetRecord[] {
    if (studyInstanceUID === undefined) return [];
    return [...this.store.imageSets.values()].filter((o) => !exclude.includes(o) && o.datastoreId === datastoreId && o.isPrimary
      && o.state !== 'DELETED' && this.store.summaryOf(this.latest(o).content).studyInstanceUID === studyInstanceUID);
  }

  private writable(s: ImageSetRecord, latestVersion: string, field: string): void {
    if (s.state === 'LOCKED') {
      throw conflict(`Image set ${s.imageSetId} is LOCKED (${this.workflowOf(s, this.latest(s))}); retry when it is ACTIVE`);
    }
    const latest = this.latest(s).versionId;
    if (Number(latestVersion) !== latest) {
      throw conflict(`${field} ${latestVersion} is not the latest version (${latest}) of image set ${s.imageSetId}`);
    }
  }

  // --- UpdateImageSetMetadata

  private decodeAttributes(value: unknown, field: string): object | undefined {
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
      throw constraintError(field, value, 'Member must be base64-encoded bytes');
    }
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length < 1 || bytes.length > this.settings.maxAttributeBytes) {
      throw validation(`1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must have length between 1 and ${this.settings.maxAttributeBytes} bytes (found ${bytes.length})`);
    }
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      throw validation(`${field} is not UTF-8 text`);
    }
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch (e) {
      throw validation(`${field} is not a JSON document: ${(e as Error).message}`);
    }
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw validation(`${field} must be a JSON object`);
    requireShallowJson(doc, field);
    const sv = (doc as Json).SchemaVersion;
    if (sv === undefined) throw validation(`${field} must contain "SchemaVersion": 1.1`);
    if (sv !== 1.1 && sv !== '1.1') throw validation(`${field} has SchemaVersion ${JSON.stringify(sv)}; the supported version is 1.1`);
    return doc as object;
  }

  /** What an update does to one image set: its new content, or why it fails (after the delay). Throws
   *  ValidationException when it needs force and was sent without, or cannot be applied at all. */
  private planUpdate(s: ImageSetRecord, update: MetadataUpdate, force: boolean, where: string): { content?: string; fail?: string } {
    const doc = this.document(s);
    const check = checkMetadataUpdate(doc, update, { isPrimary: s.isPrimary });
    if (check.forceReasons.length > 0 && !force) {
      const list = check.forceReasons.map((r) => `${r.path}: ${r.reason}`).join('; ');
      throw validation(clip(`${where}This update needs force=true (nothing was changed): ${list}`));
    }
    if (check.refused.length > 0) {
      return { fail: `INVALID_REQUEST: ${where}${check.refused.map((r) => `${r.reason} (${r.path})`).join('; ')}` };
    }
    let next: unknown;
    try {
      next = applyMetadataUpdate(doc, update);
    } catch (e) {
      throw validation(clip(`${where}updateImageSetMetadataUpdates.DICOMUpdates: ${(e as Error).message}`));
    }
    return { content: this.putDocument(withIds(next as Json, s.datastoreId, s.imageSetId)) };
  }

  updateImageSetMetadata(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const imageSetId = requireId(req.params.imageSetId, 'imageSetId');
    const latestVersion = requireString(req.query.get('latestVersion') ?? undefined, 'latestVersionId', { pattern: VERSION_ID }) as string;
    const force = queryBoolean(req.query.get('force'), 'force') === true;
    const includeStudy = queryBoolean(req.query.get('includeStudyImageSets'), 'includeStudyImageSets') === true;
    const body = requireObject(req.body, 'updateImageSetMetadataUpdates') as Json;
    const hasUpdates = body.DICOMUpdates !== undefined && body.DICOMUpdates !== null;
    const hasRevert = body.revertToVersionId !== undefined && body.revertToVersionId !== null;
    if (hasUpdates === hasRevert) {
      throw validation(`updateImageSetMetadataUpdates must set exactly one of DICOMUpdates and revertToVersionId (found ${hasUpdates ? 'both' : 'neither'})`);
    }
    let update: MetadataUpdate | undefined;
    let revertTo: string | undefined;
    if (hasUpdates) {
      const u = requireObject(body.DICOMUpdates, 'updateImageSetMetadataUpdates.DICOMUpdates') as Json;
      const updatableAttributes = this.decodeAttributes(u.updatableAttributes, 'updateImageSetMetadataUpdates.DICOMUpdates.updatableAttributes');
      const removableAttributes = this.decodeAttributes(u.removableAttributes, 'updateImageSetMetadataUpdates.DICOMUpdates.removableAttributes');
      if (!updatableAttributes && !removableAttributes) {
        throw validation('updateImageSetMetadataUpdates.DICOMUpdates must contain updatableAttributes or removableAttributes');
      }
      update = {};
      if (updatableAttributes) update.updatableAttributes = updatableAttributes;
      if (removableAttributes) update.removableAttributes = removableAttributes;
    } else {
      revertTo = requireString(body.revertToVersionId, 'updateImageSetMetadataUpdates.revertToVersionId', { pattern: VERSION_ID }) as string;
    }

    this.datastore(datastoreId, true);
    const s = this.imageSet(datastoreId, imageSetId);
    this.writable(s, latestVersion, 'latestVersion');

    // includeStudyImageSets: the same change, atomically, to every primary image set of the study.
    let others: ImageSetRecord[] = [];
    if (includeStudy) {
      if (revertTo !== undefined) throw validation('includeStudyImageSets cannot be combined with revertToVersionId');
      if (!s.isPrimary) throw validation(`includeStudyImageSets applies to primary image sets; image set ${imageSetId} is not primary`);
      others = this.primariesOfStudy(datastoreId, this.store.summaryOf(this.latest(s).content).studyInstanceUID, [s]);
      const locked = others.find((o) => o.state === 'LOCKED');
      if (locked) throw conflict(`Image set ${locked.imageSetId} of the same study is LOCKED (${this.workflowOf(locked, this.latest(locked))}); retry when it is ACTIVE`);
    }

    let outcome: { content?: string; fail?: string };
    if (revertTo !== undefined) {
      const target = s.versions[Number(revertTo) - 1];
      if (!target) throw validation(`updateImageSetMetadataUpdates.revertToVersionId: version ${revertTo} does not exist for image set ${imageSetId} (latest is ${latestVersion})`);
      outcome = { content: target.content };
    } else {
      outcome = this.planUpdate(s, update as MetadataUpdate, force, '');
    }
    const otherOutcomes = others.map((o) => this.planUpdate(o, update as MetadataUpdate, force, `image set ${o.imageSetId}: `));
    const firstFailure = [outcome, ...otherOutcomes].find((o) => o.fail !== undefined)?.fail;
    const fault = this.settings.failUpdates;
    let fail = firstFailure;
    if (fault.count > 0 && fail === undefined) {
      fault.count -= 1;
      fail = fault.message ?? 'INTERNAL_ERROR: the update failed (fault injected by the emulator)';
    }
    if (fail !== undefined) outcome = { fail };
    const v = this.beginVersion(s, 'UPDATING', 'UPDATED', 'UPDATE_FAILED', outcome, force);
    others.forEach((o, i) => this.beginVersion(o, 'UPDATING_FOR_STUDY_CONSISTENCY', 'UPDATED', 'UPDATE_FAILED', fail !== undefined ? { fail } : otherOutcomes[i] as { content?: string }, force));
    this.store.save();
    return {
      json: {
        datastoreId, imageSetId, latestVersionId: String(v.versionId), imageSetState: s.state, imageSetWorkflowStatus: v.status,
        createdAt: epochSeconds(s.createdAt), updatedAt: epochSeconds(v.updatedAt),
      },
    };
  }

  // --- CopyImageSet

  copyImageSet(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const sourceImageSetId = requireId(req.params.sourceImageSetId, 'sourceImageSetId');
    const force = queryBoolean(req.query.get('force'), 'force') === true;
    const promoteToPrimary = queryBoolean(req.query.get('promoteToPrimary'), 'promoteToPrimary') === true;
    const info = requireObject(req.body, 'copyImageSetInformation') as Json;
    const src = requireObject(info.sourceImageSet, 'copyImageSetInformation.sourceImageSet') as Json;
    const srcVersion = requireString(src.latestVersionId, 'copyImageSetInformation.sourceImageSet.latestVersionId', { pattern: VERSION_ID }) as string;
    const copies = requireObject(src.DICOMCopies, 'copyImageSetInformation.sourceImageSet.DICOMCopies', false);
    const copiable = copies ? requireString(copies.copiableAttributes, 'copyImageSetInformation.sourceImageSet.DICOMCopies.copiableAttributes', { min: 1, max: 260000 }) : undefined;
    const dst = requireObject(info.destinationImageSet, 'copyImageSetInformation.destinationImageSet', false);
    const dstId = dst ? requireId(dst.imageSetId, 'copyImageSetInformation.destinationImageSet.imageSetId') : undefined;
    const dstVersion = dst ? requireString(dst.latestVersionId, 'copyImageSetInformation.destinationImageSet.latestVersionId', { pattern: VERSION_ID }) as string : undefined;
    if (dstId === sourceImageSetId) throw validation('copyImageSetInformation.destinationImageSet.imageSetId must differ from the source image set');

    this.datastore(datastoreId, true);
    const source = this.imageSet(datastoreId, sourceImageSetId);
    this.writable(source, srcVersion, 'copyImageSetInformation.sourceImageSet.latestVersionId');
    const destination = dstId ? this.imageSet(datastoreId, dstId) : undefined;
    if (destination) this.writable(destination, dstVersion as string, 'copyImageSetInformation.destinationImageSet.latestVersionId');

    const selected = this.selectInstances(this.document(source), copiable);
    const merged = destination ? this.merge(this.document(destination), selected, force) : selected;
    if (promoteToPrimary && typeof merged !== 'string') this.checkPromotion(source, destination, merged);
    const fault = this.settings.failCopies;
    let injected: string | undefined;
    if (fault.count > 0) {
      fault.count -= 1;
      injected = fault.message ?? 'INTERNAL_ERROR: the copy failed (fault injected by the emulator)';
    }
    const now = Date.now();
    let target: ImageSetRecord;
    let v: VersionRecord;
    if (!destination) {
      const newIdValue = newId();
      const content = this.putDocument(withIds(selected, datastoreId, newIdValue));
      // Not primary until the copy has succeeded (finishImageSet), so a failed copy promotes nothing.
      target = {
        imageSetId: newIdValue, datastoreId, createdAt: now, updatedAt: now, isPrimary: false, state: 'LOCKED',
        versions: [], frameIds: [...framesOfDocument(selected).keys()], tags: {},
      };
      v = {
        versionId: 1, status: 'COPYING', createdAt: now, updatedAt: now, content, pendingContent: content,
        pending: { final: 'COPIED', failStatus: 'COPY_FAILED', fail: injected === undefined ? undefined : clip(injected), ...(promoteToPrimary ? { promote: true } : {}) },
      };
      if (force) v.forced = true;
      target.versions.push(v);
      target.lockDueAt = this.dueAt();
      this.store.imageSets.set(target.imageSetId, target);
      const id = target.imageSetId;
      this.schedule(target.lockDueAt, () => this.finishImageSet(id));
    } else {
      target = destination;
      const fail = typeof merged === 'string' ? merged : injected;
      const outcome = fail !== undefined ? { fail } : { content: this.putDocument(withIds(merged as Json, datastoreId, destination.imageSetId)) };
      v = this.beginVersion(destination, 'COPYING', 'COPIED', 'COPY_FAILED', outcome, force);
      if (fail === undefined) destination.frameIds = [...new Set([...destination.frameIds, ...framesOfDocument(selected).keys()])];
      if (promoteToPrimary && v.pending) v.pending.promote = true;
    }
    this.lock(source, 'COPYING_WITH_READ_ONLY_ACCESS');
    this.store.save();
    const props = (s: ImageSetRecord, version: VersionRecord): Json => ({
      imageSetId: s.imageSetId, latestVersionId: String(version.versionId), imageSetState: s.state, imageSetWorkflowStatus: this.workflowOf(s, version),
      createdAt: epochSeconds(s.createdAt), updatedAt: epochSeconds(s.updatedAt), imageSetArn: this.imageSetArn(req.region, datastoreId, s.imageSetId),
    });
    return { json: { datastoreId, sourceImageSetProperties: props(source, this.latest(source)), destinationImageSetProperties: props(target, v) } };
  }

  /**
   * A promotion must leave one consistent primary hierarchy per study: the copy's Patient, Study and
   * Series levels must agree with every primary image set of its study (other than the source and the
   * destination). Otherwise it is refused before anything is copied (409 ConflictException naming the
   * attributes; the documented model: conflicting data is made primary only "after resolving metadata
   * conflicts").
   */
  private checkPromotion(source: ImageSetRecord, destination: ImageSetRecord | undefined, result: Json): void {
    const primaries = this.primariesOfStudy(source.datastoreId, studyInstanceUidOf(result), destination ? [source, destination] : [source]);
    const conflicts = findHierarchyConflicts(result, primaries.map((p) => ({ imageSetId: p.imageSetId, document: this.document(p) })));
    if (conflicts.length === 0) return;
    const ids = [...new Set(conflicts.flatMap((c) => c.imageSetIds))];
    throw conflict(clip(`Cannot promote image set ${source.imageSetId} to primary: it disagrees with the primary image set${ids.length === 1 ? '' : 's'} ` +
      `${ids.join(', ')} of its study at ${describeHierarchyConflicts(conflicts)}. Nothing was copied; make these attributes agree, then promote again.`));
  }

  /** The source document restricted to the series / instances `copiableAttributes` names (all when absent). */
  private selectInstances(doc: Json, copiable: string | undefined): Json {
    if (copiable === undefined) return doc;
    const field = 'copyImageSetInformation.sourceImageSet.DICOMCopies.copiableAttributes';
    let sel: unknown;
    try {
      sel = JSON.parse(copiable);
    } catch (e) {
      throw validation(`${field} is not a JSON document: ${(e as Error).message}`);
    }
    requireShallowJson(sel, field);
    const sv = obj(sel).SchemaVersion;
    if (sv !== 1.1 && sv !== '1.1') throw validation(`${field} must contain "SchemaVersion": "1.1"`);
    const wanted = obj(obj(obj(sel).Study).Series);
    if (Object.keys(wanted).length === 0) throw validation(`${field} must name at least one series under Study.Series`);
    const have = obj(obj(doc.Study).Series);
    const series: Json = {};
    // Keys are data: a series or instance named `__proto__` or `constructor` is one the source lacks.
    for (const [uid, want] of Object.entries(wanted)) {
      if (!hasOwn(have, uid)) throw validation(`${field}: series ${uid} is not in the source image set`);
      const s = have[uid];
      const instances = obj(want).Instances;
      if (instances === undefined || Object.keys(obj(instances)).length === 0) {
        setOwn(series, uid, s);
        continue;
      }
      const haveInstances = obj(obj(s).Instances);
      const picked: Json = {};
      for (const sop of Object.keys(obj(instances))) {
        if (!hasOwn(haveInstances, sop)) throw validation(`${field}: instance ${sop} is not in series ${uid} of the source image set`);
        setOwn(picked, sop, haveInstances[sop]);
      }
      setOwn(series, uid, { ...obj(s), Instances: picked });
    }
    return { ...doc, Study: { ...obj(doc.Study), Series: series } };
  }

  /** Merges copied instances into the destination document, or says why the copy fails. */
  private merge(dest: Json, source: Json, force: boolean): Json | string {
    const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
    const srcStudy = obj(source.Study);
    const dstStudy = obj(dest.Study);
    if (!force) {
      if (!same(obj(source.Patient).DICOM, obj(dest.Patient).DICOM)) return "INVALID_REQUEST: Patient of SourceImageSet and DestinationImageSet don't match. Use force to copy anyway.";
      if (!same(srcStudy.DICOM, dstStudy.DICOM)) return "INVALID_REQUEST: Study of SourceImageSet and DestinationImageSet don't match. Use force to copy anyway.";
    }
    const dstSeries = { ...obj(dstStudy.Series) };
    const sopOwner = new Map<string, string>();
    for (const [uid, s] of Object.entries(dstSeries)) for (const sop of Object.keys(obj(obj(s).Instances))) sopOwner.set(sop, uid);
    for (const [uid, s] of Object.entries(obj(srcStudy.Series))) {
      for (const sop of Object.keys(obj(obj(s).Instances))) {
        const owner = sopOwner.get(sop);
        if (owner !== undefined && owner !== uid) return `INVALID_REQUEST: SOP instance ${sop} already exists in another series of DestinationImageSet`;
      }
      const existing = dstSeries[uid];
      if (existing === undefined) {
        dstSeries[uid] = s;
        continue;
      }
      if (!force && !same(obj(s).DICOM, obj(existing).DICOM)) return "INVALID_REQUEST: Series of SourceImageSet and DestinationImageSet don't match. Use force to copy anyway.";
      dstSeries[uid] = { ...obj(existing), DICOM: force ? obj(s).DICOM : obj(existing).DICOM, Instances: { ...obj(obj(existing).Instances), ...obj(obj(s).Instances) } };
    }
    return {
      ...dest,
      Patient: force ? source.Patient : dest.Patient,
      Study: { ...dstStudy, DICOM: force ? srcStudy.DICOM : dstStudy.DICOM, Series: dstSeries },
    };
  }

  // --- DeleteImageSet

  deleteImageSet(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const imageSetId = requireId(req.params.imageSetId, 'imageSetId');
    const s = this.imageSet(datastoreId, imageSetId, true);
    if (s.state !== 'DELETED' && s.workflowOverride !== 'DELETING') {
      if (s.state === 'LOCKED') throw conflict(`Image set ${imageSetId} is LOCKED (${this.workflowOf(s, this.latest(s))}); retry when it is ACTIVE`);
      this.lock(s, 'DELETING');
      this.store.save();
    }
    return { json: { datastoreId, imageSetId, imageSetState: s.state, imageSetWorkflowStatus: this.workflowOf(s, this.latest(s)) } };
  }

  // --- SearchImageSets

  searchImageSets(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const maxResults = queryMaxResults(req.query.get('maxResults'));
    const search = parseSearchCriteria(req.body);
    this.datastore(datastoreId, true);
    const candidates: Searchable[] = [];
    for (const s of this.store.imageSets.values()) {
      if (s.datastoreId !== datastoreId || s.state === 'DELETED') continue;
      const v = this.latest(s);
      candidates.push({ imageSetId: s.imageSetId, createdAt: s.createdAt, updatedAt: s.updatedAt, isPrimary: s.isPrimary, summary: this.store.summaryOf(v.content) });
    }
    const hits = runSearch(candidates, search);
    const p = page(hits, req.query.get('nextToken'), maxResults, { op: 'SearchImageSets', datastoreId, body: req.body ?? null });
    return {
      json: {
        imageSetsMetadataSummaries: p.items.map((h) => {
          const s = this.store.imageSets.get(h.imageSetId) as ImageSetRecord;
          return {
            imageSetId: h.imageSetId, version: this.latest(s).versionId, createdAt: epochSeconds(h.createdAt), updatedAt: epochSeconds(h.updatedAt),
            lastAccessedAt: epochSeconds(s.lastAccessedAt), storageTier: 'FREQUENT_ACCESS', DICOMTags: h.summary.tags, isPrimary: h.isPrimary,
          };
        }),
        sort: search.sort,
        nextToken: p.nextToken,
      },
    };
  }

  // --- tags

  parseTags(value: unknown, field: string, required = true): Record<string, string> | undefined {
    const tags = requireObject(value, field, required);
    if (!tags) return undefined;
    const entries = Object.entries(tags);
    if (entries.length > MAX_TAGS) throw constraintError(field, `${entries.length} tags`, `Member must have at most ${MAX_TAGS} entries`);
    for (const [k, v] of entries) {
      requireString(k, `${field} key`, { min: 1, max: 128, pattern: TAG_KEY });
      requireString(v, `${field}.${k}`, { max: 256 });
    }
    return tags as Record<string, string>;
  }

  private tagged(raw: string | undefined): { tags: Record<string, string>; describe: string } {
    const arn = requireString(raw, 'resourceArn', { min: 1, max: 2048 }) as string;
    const m = /^arn:aws((-us-gov)|(-iso)|(-iso-b)|(-cn))?:medical-imaging:[a-z0-9-]+:[0-9]{12}:datastore\/([0-9a-z]{32})(\/imageset\/([0-9a-z]{32}))?$/.exec(arn);
    if (!m) {
      throw constraintError('resourceArn', arn, 'Member must be a data store or image set ARN (arn:aws:medical-imaging:<region>:<account>:datastore/<id>[/imageset/<id>])');
    }
    const datastoreId = m[6] as string;
    const imageSetId = m[8];
    if (imageSetId) {
      const s = this.imageSet(datastoreId, imageSetId);
      return { tags: s.tags, describe: `image set ${imageSetId}` };
    }
    const d = this.datastore(datastoreId);
    if (d.datastoreStatus === 'DELETED') throw notFound(`Datastore ${datastoreId} does not exist`);
    return { tags: d.tags, describe: `datastore ${datastoreId}` };
  }

  listTagsForResource(req: ServiceRequest): ServiceResponse {
    return { json: { tags: { ...this.tagged(req.params.resourceArn).tags } } };
  }

  tagResource(req: ServiceRequest): ServiceResponse {
    const body = requireObject(req.body, 'body') as Json;
    const tags = this.parseTags(body.tags, 'tags') as Record<string, string>;
    const target = this.tagged(req.params.resourceArn);
    const merged = { ...target.tags, ...tags };
    if (Object.keys(merged).length > MAX_TAGS) throw validation(`${target.describe} would have ${Object.keys(merged).length} tags; at most ${MAX_TAGS} are allowed`);
    // Keys are data: assignment would make `__proto__` the prototype instead of a tag.
    for (const [key, value] of Object.entries(tags)) setOwn(target.tags, key, value);
    this.store.save();
    return { json: {} };
  }

  untagResource(req: ServiceRequest): ServiceResponse {
    const keys = req.query.getAll('tagKeys');
    if (keys.length > 200) throw constraintError('tagKeys', `${keys.length} keys`, 'Member must have length between 0 and 200');
    keys.forEach((k, i) => requireString(k, `tagKeys.${i + 1}`, { min: 1, max: 128, pattern: TAG_KEY }));
    const target = this.tagged(req.params.resourceArn);
    for (const k of keys) delete target.tags[k];
    this.store.save();
    return { json: {} };
  }
}
