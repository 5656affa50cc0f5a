// The emulator's state: data stores, image sets with every version, import jobs, tags,
// metadata documents (gzip, content-addressed, shared between versions) and frame bytes.
// In memory, or persisted under a folder with atomic writes (temporary file + rename, then the folder flushed):
//   <dataDir>/state.json              records (no metadata values, no frame bytes)
//   <dataDir>/blobs/<sha256>.json.gz  metadata documents, one per distinct content
//   <dataDir>/frames/<sha256>.pack    frame bytes, one pack per stored batch (a seeded or imported image set),
//                                     equal frames once
//   <dataDir>/frames/<sha256>.idx.json  where each frame of the batch is: [id, offset, length, content type]
//                                     (and the pack, when the bytes were already in an earlier one)
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

export type DatastoreStatus = 'CREATING' | 'CREATE_FAILED' | 'ACTIVE' | 'DELETING' | 'DELETED';
export type ImageSetState = 'ACTIVE' | 'LOCKED' | 'DELETED';
export type WorkflowStatus =
  | 'CREATED' | 'COPIED' | 'COPYING' | 'COPYING_WITH_READ_ONLY_ACCESS' | 'COPY_FAILED'
  | 'UPDATING' | 'UPDATING_FOR_STUDY_CONSISTENCY' | 'UPDATED' | 'UPDATE_FAILED' | 'DELETING' | 'DELETED' | 'IMPORTING' | 'IMPORTED' | 'IMPORT_FAILED';
export type JobStatus = 'SUBMITTED' | 'IN_PROGRESS' | 'COMPLETED' | 'FAILED';

export interface DatastoreRecord {
  datastoreId: string;
  datastoreName: string;
  datastoreStatus: DatastoreStatus;
  createdAt: number;
  updatedAt: number;
  clientToken?: string;
  kmsKeyArn?: string;
  lambdaAuthorizerArn?: string;
  losslessStorageFormat: string;
  tags: Record<string, string>;
  /** When CREATING / DELETING ends. */
  dueAt?: number;
}

/** The search summary of one content, computed once when the content is stored. */
export interface ContentSummary {
  tags: Record<string, string | number>;
  studyInstanceUID?: string;
  seriesInstanceUIDs: string[];
  studyDateTime?: string;   // YYYYMMDD + HHMMSS.ffffff, for range filters and sorting
}

export interface VersionRecord {
  versionId: number;
  status: WorkflowStatus;
  createdAt: number;
  updatedAt: number;
  message?: string;
  forced?: boolean;
  /** What reads of this version return (for an in-progress or failed version: the previous content). */
  content: string;
  /** The content this version gets if its pending operation succeeds. */
  pendingContent?: string;
  /** Outcome decided when the request was accepted, applied when the operation finishes
   *  (`promote`: the image set becomes primary if the copy succeeds). */
  pending?: { fail?: string; final: WorkflowStatus; failStatus: WorkflowStatus; promote?: boolean };
}

export interface ImageSetRecord {
  imageSetId: string;
  datastoreId: string;
  createdAt: number;
  updatedAt: number;
  deletedAt?: number;
  lastAccessedAt?: number;
  isPrimary: boolean;
  state: ImageSetState;
  /** Set while the set is locked by someone else's operation (copy source) or being deleted. */
  workflowOverride?: WorkflowStatus;
  lockDueAt?: number;
  versions: VersionRecord[];
  frameIds: string[];
  tags: Record<string, string>;
}

export interface JobRecord {
  jobId: string;
  jobName: string;
  jobStatus: JobStatus;
  datastoreId: string;
  dataAccessRoleArn: string;
  inputS3Uri: string;
  outputS3Uri: string;
  inputOwnerAccountId?: string;
  clientToken: string;
  submittedAt: number;
  endedAt?: number;
  message?: string;
  dueAt?: number;
}

export interface FrameLocation { pack: string; offset: number; length: number; contentType: string }

interface PersistedState {
  formatVersion: 2;
  datastores: DatastoreRecord[];
  imageSets: ImageSetRecord[];
  jobs: JobRecord[];
  summaries: Record<string, ContentSummary>;
  /** The frame batches: each has a pack and an index file that holds the frame locations. */
  packs: string[];
}

/**
 * Writes a file so that readers see either the old or the new content, never a torn one: the
 * bytes go to a temporary file, which is flushed and renamed over the file; then the folder is
 * flushed too (and the folder above it when the folder is new), so that the rename itself is on
 * disk and survives a power loss, not only a crash of the process. `folderFlushed` instead hands
 * the folder to a caller that flushes it later, once for many files (before the state naming them).
 */
export function writeFileAtomic(
  file: string, data: string | Uint8Array, options: { fsync?: boolean; folderFlushed?: (dir: string) => void } = {},
): void {
  const sync = options.fsync !== false;
  const dir = path.dirname(file);
  const created = fs.mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    if (sync) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
  if (!sync) return;
  if (created !== undefined) fsyncFolder(path.dirname(created));
  if (options.folderFlushed) options.folderFlushed(dir);
  else fsyncFolder(dir);
}

/** Flushes a folder's entries (the names in it) to disk. */
function fsyncFolder(dir: string): void {
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

export class Store {
  readonly datastores = new Map<string, DatastoreRecord>();
  readonly imageSets = new Map<string, ImageSetRecord>();
  readonly jobs = new Map<string, JobRecord>();
  private readonly summaries = new Map<string, ContentSummary>();
  private readonly gz = new Map<string, Buffer>();
  private readonly frames = new Map<string, FrameLocation>();
  private readonly packs = new Map<string, Buffer>();
  /** Batches of stored frames (their index files); see PersistedState.packs. */
  private readonly batches = new Set<string>();
  /** Where the bytes of frames stored in this process are: the same array stored again is not copied. */
  private readonly storedBytes = new WeakMap<Uint8Array, FrameLocation>();

  /**
   * `fsync: false` skips the flushes to disk (the writes stay atomic for readers and across a crash of
   * the process, not a power loss): for an emulator that runs inside another program's process,
   * such as the extension host in the integration tests, where a synchronous flush stalls its host.
   */
  constructor(private readonly dataDir?: string, private readonly options: { fsync?: boolean } = {}) {
    this.blobWrite = { ...options, folderFlushed: (dir: string) => this.unflushedFolders.add(dir) };
  }

  /** Folders with renames not flushed yet: save() flushes them before the state that names their files. */
  private readonly unflushedFolders = new Set<string>();
  /** How blobs and frame packs are written: their folders are flushed by the next save(). */
  private readonly blobWrite: { fsync?: boolean; folderFlushed: (dir: string) => void };

  get persistent(): boolean {
    return this.dataDir !== undefined;
  }

  /** Loads a persisted store; removes files a crash may have left unreferenced. */
  load(): void {
    if (!this.dataDir) return;
    const file = path.join(this.dataDir, 'state.json');
    if (!fs.existsSync(file)) return;
    let state: PersistedState;
    try {
      state = JSON.parse(fs.readFileSync(file, 'utf8')) as PersistedState;
    } catch (e) {
      throw new Error(`${file} is not a readable emulator state: ${(e as Error).message}`);
    }
    if (state.formatVersion !== 2) throw new Error(`${file} has format version ${String(state.formatVersion)}; this emulator reads version 2 (start with an empty folder)`);
    for (const d of state.datastores) this.datastores.set(d.datastoreId, d);
    for (const s of state.imageSets) this.imageSets.set(s.imageSetId, s);
    for (const j of state.jobs) this.jobs.set(j.jobId, j);
    for (const [k, v] of Object.entries(state.summaries)) this.summaries.set(k, v);
    for (const pack of state.packs) {
      this.batches.add(pack);
      const index = path.join(this.dataDir, 'frames', `${pack}.idx.json`);
      let entries: Array<[string, number, number, string, string?]>;
      try {
        entries = JSON.parse(fs.readFileSync(index, 'utf8')) as Array<[string, number, number, string, string?]>;
      } catch (e) {
        throw new Error(`${index} is not a readable frame index: ${(e as Error).message}`);
      }
      for (const [id, offset, length, contentType, inPack] of entries) this.frames.set(id, { pack: inPack ?? pack, offset, length, contentType });
    }
    this.collectGarbage();
  }

  private collectGarbage(): void {
    if (!this.dataDir) return;
    for (const name of fs.readdirSync(this.dataDir)) {
      if (/^state\.json\..*\.tmp$/.test(name)) fs.rmSync(path.join(this.dataDir, name), { force: true });
    }
    const usedBlobs = new Set(this.summaries.keys());
    const usedPacks = new Set([...this.batches, ...[...this.frames.values()].map((f) => f.pack)]);
    for (const [dir, used, exts] of [['blobs', usedBlobs, ['.json.gz']], ['frames', usedPacks, ['.pack', '.idx.json']]] as const) {
      const folder = path.join(this.dataDir, dir);
      if (!fs.existsSync(folder)) continue;
      for (const name of fs.readdirSync(folder)) {
        const ext = exts.find((x) => name.endsWith(x));
        const key = ext === undefined ? undefined : name.slice(0, -ext.length);
        if (key === undefined || !used.has(key)) fs.rmSync(path.join(folder, name), { force: true });
      }
    }
  }

  /** Writes the records atomically. Blobs and packs are written before the records that name them. */
  save(): void {
    if (!this.dataDir) return;
    // Only summaries of content some version still names are kept.
    const used = new Set<string>();
    for (const s of this.imageSets.values()) for (const v of s.versions) { used.add(v.content); if (v.pendingContent) used.add(v.pendingContent); }
    const summaries: Record<string, ContentSummary> = {};
    for (const key of used) { const s = this.summaries.get(key); if (s) summaries[key] = s; }
    const state: PersistedState = {
      formatVersion: 2,
      datastores: [...this.datastores.values()],
      imageSets: [...this.imageSets.values()],
      jobs: [...this.jobs.values()],
      summaries,
      packs: [...this.batches],
    };
    if (this.options.fsync !== false) for (const dir of this.unflushedFolders) fsyncFolder(dir);
    this.unflushedFolders.clear();
    writeFileAtomic(path.join(this.dataDir, 'state.json'), JSON.stringify(state), this.options);
  }

  // --- metadata documents

  /** Stores a document (JSON text); returns its content key. Identical documents are stored once. */
  putContent(text: string, summary: ContentSummary): string {
    const key = createHash('sha256').update(text).digest('hex');
    if (!this.summaries.has(key)) {
      const gz = zlib.gzipSync(text);
      if (this.dataDir) writeFileAtomic(path.join(this.dataDir, 'blobs', `${key}.json.gz`), gz, this.blobWrite);
      this.gz.set(key, gz);
      this.summaries.set(key, summary);
    }
    return key;
  }

  gzipOf(key: string): Buffer {
    let gz = this.gz.get(key);
    if (!gz) {
      if (!this.dataDir) throw new Error(`content ${key} is missing`);
      gz = fs.readFileSync(path.join(this.dataDir, 'blobs', `${key}.json.gz`));
      this.gz.set(key, gz);
    }
    return gz;
  }

  textOf(key: string): string {
    return zlib.gunzipSync(this.gzipOf(key)).toString('utf8');
  }

  summaryOf(key: string): ContentSummary {
    const s = this.summaries.get(key);
    if (!s) throw new Error(`content ${key} has no summary`);
    return s;
  }

  // --- frames

  /** Stores frames. Equal bytes are kept once: within a batch by content, across batches when the same array
   *  is stored again (the seed's instances share the arrays of equal images). */
  putFrames(frames: { id: string; bytes: Uint8Array; contentType: string }[]): void {
    const fresh = frames.filter((f) => !this.frames.has(f.id));
    if (fresh.length === 0) return;
    const byHash = new Map<string, number>();
    const parts: Buffer[] = [];
    let size = 0;
    // Each frame's place: [offset, length, pack] (no pack: in this batch's new pack).
    const places = fresh.map((f): [number, number, string?] => {
      const earlier = this.storedBytes.get(f.bytes);
      if (earlier) return [earlier.offset, earlier.length, earlier.pack];
      const hash = createHash('sha256').update(f.bytes).digest('hex');
      let at = byHash.get(hash);
      if (at === undefined) {
        at = size;
        parts.push(Buffer.from(f.bytes.buffer, f.bytes.byteOffset, f.bytes.byteLength));
        size += f.bytes.byteLength;
        byHash.set(hash, at);
      }
      return [at, f.bytes.byteLength];
    });
    const pack = Buffer.concat(parts, size);
    const key = createHash('sha256').update(pack).update(fresh.map((f) => f.id).join(',')).digest('hex');
    const index = fresh.map((f, i): [string, number, number, string, string?] => {
      const [offset, length, inPack] = places[i];
      return inPack === undefined ? [f.id, offset, length, f.contentType] : [f.id, offset, length, f.contentType, inPack];
    });
    if (this.dataDir) {
      writeFileAtomic(path.join(this.dataDir, 'frames', `${key}.pack`), pack, this.blobWrite);
      writeFileAtomic(path.join(this.dataDir, 'frames', `${key}.idx.json`), JSON.stringify(index), this.blobWrite);
    } else this.packs.set(key, pack);
    this.batches.add(key);
    fresh.forEach((f, i) => {
      const [, offset, length, contentType, inPack] = index[i];
      const location = { pack: inPack ?? key, offset, length, contentType };
      this.frames.set(f.id, location);
      if (!this.storedBytes.has(f.bytes)) this.storedBytes.set(f.bytes, location);
    });
  }

  frame(id: string): { bytes: Buffer; contentType: string } | undefined {
    const loc = this.frames.get(id);
    if (!loc) return undefined;
    const inMemory = this.packs.get(loc.pack);
    if (inMemory) return { bytes: inMemory.subarray(loc.offset, loc.offset + loc.length), contentType: loc.contentType };
    if (!this.dataDir) return undefined;
    const fd = fs.openSync(path.join(this.dataDir, 'frames', `${loc.pack}.pack`), 'r');
    try {
      const bytes = Buffer.alloc(loc.length);
      fs.readSync(fd, bytes, 0, loc.length, loc.offset);
      return { bytes, contentType: loc.contentType };
    } finally {
      fs.closeSync(fd);
    }
  }
}
