// The local AWS HealthImaging service: a Node HTTP server speaking restJson1 as the service
// does, so that the unmodified @aws-sdk/client-medical-imaging (endpoint + disableHostPrefix)
// works against it. Listens on 127.0.0.1 only. Test faults: per-operation throttling,
// added latency, failing the next N updates, and a count of the requests of each operation by
// status; in process (`faults`) or over HTTP (POST and GET /_emulator/faults, GET /_emulator/health).
import * as http from 'node:http';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { SERVICE_MAX_ATTRIBUTE_BYTES } from '../../src/core/updateRules';
import { ImportJobs } from './importJobs';
import type { OpenJphModule } from '../../src/core/htj2k';
import { loadHtj2kCodec } from './htj2k';
import { generateSeed, SEED_DATASTORE_NAME } from './seed';
import { Service, stableId, type ServiceRequest, type ServiceResponse, type ServiceSettings } from './service';
import { Store } from './store';
import { ApiError, requireShallowJson, type ErrorType } from './wire';

// The package's entry point also gives clients the emulator's AWS profile.
export {
  EMULATOR_CREDENTIALS, EMULATOR_KEYS_INI, EMULATOR_PROFILE, EMULATOR_REGION, writeEmulatorProfile, type AwsProfileFiles,
} from './profile';

/** The error shapes of the service model (what errorNext can inject). */
export const MODELLED_ERRORS = [
  'ValidationException', 'AccessDeniedException', 'ResourceNotFoundException', 'ConflictException', 'ThrottlingException',
  'ServiceQuotaExceededException', 'InternalServerException',
] as const;

export interface EmulatorOptions {
  port?: number;             // 0 = free port (default 0)
  dataDir?: string;          // persistence; absent = in memory
  seed?: boolean;            // load the deterministic sample data (if the store is empty)
  updateDelayMs?: number;    // LOCKED/UPDATING -> final state delay, default ~1000
  s3Root?: string;           // folder that s3://bucket/prefix maps to (<s3Root>/<bucket>/<prefix>); default <dataDir>/s3
  latencyMs?: number;        // added latency per request
  throttle?: boolean;        // enforce the service's per-operation quotas (token buckets)
  log?: (line: string) => void;   // request log lines (ids, operation, status; never metadata values)
  /** Size limit of updatableAttributes / removableAttributes in bytes (the current service model: 30,000). */
  maxAttributeBytes?: number;
  /** The account id in ARNs (default 123456789012). */
  accountId?: string;
  /**
   * With dataDir: flush every file and its folder to disk (default true), so that the data survives
   * a power loss. false keeps writes atomic but unflushed, for an emulator inside another program's
   * process (the extension host of the integration tests), where each synchronous flush stalls it.
   */
  fsync?: boolean;
}

export interface EmulatorFaults {
  throttleNext(operation: string, count: number): void;      // next N calls of the operation get 429 ThrottlingException
  /** Next N calls of the operation answer the given modelled error (e.g. AccessDeniedException, InternalServerException). */
  errorNext(operation: string, type: string, count: number, message?: string): void;
  failNextUpdates(count: number, message?: string): void;    // next N updates end UPDATE_FAILED with that message
  /** Next N GetImageFrame answers carry damaged bytes: 'garble' overwrites the codestream's first bytes (it
   *  no longer decodes), 'truncate' cuts the frame to half its length (it decodes to wrong pixels). */
  damageNextFrames(count: number, how?: FrameDamage): void;
  failNextCopies(count: number, message?: string): void;     // next N copies end COPY_FAILED with that message
  setLatency(ms: number): void;
  /** The LOCKED time of later operations; pending ones then finish no later than `ms` from now. */
  setUpdateDelay(ms: number): void;
  /** The requests each operation received since the start (or the last reset), by HTTP status. */
  requestCounts(): Record<string, RequestCount>;
  /** Back to the start options; the request counts start again from zero. */
  reset(): void;
}

export type FrameDamage = 'garble' | 'truncate';
export const FRAME_DAMAGES: readonly FrameDamage[] = ['garble', 'truncate'];

/** A frame's bytes as a damaged transfer (or store) would leave them; see EmulatorFaults.damageNextFrames. */
export function damageFrame(bytes: Buffer, how: FrameDamage): Buffer {
  if (how === 'truncate') return bytes.subarray(0, Math.floor(bytes.length / 2));
  const out = Buffer.from(bytes);
  out.fill(0x5a, 0, Math.min(out.length, 64));
  return out;
}

/** How many requests of one operation arrived, and how they were answered (status -> count). */
export interface RequestCount { total: number; byStatus: Record<string, number> }

export interface RunningEmulator { url: string; port: number; faults: EmulatorFaults; close(): Promise<void> }

export const DEFAULT_UPDATE_DELAY_MS = 1000;
/** The seeded data store's id: the same on every run. */
export const SEED_DATASTORE_ID = stableId('healthimaging-emulator/seed/datastore');
export const seedImageSetId = (index: number): string => stableId(`healthimaging-emulator/seed/image-set/${index}`);

/** Rate (per second) and burst of each operation: the service's default throttling quotas. */
export const QUOTAS: Readonly<Record<string, [number, number]>> = {
  CreateDatastore: [0.085, 1], DeleteDatastore: [0.085, 1], GetDatastore: [10, 20], ListDatastores: [5, 10],
  StartDICOMImportJob: [1, 2], GetDICOMImportJob: [25, 50], ListDICOMImportJobs: [10, 20],
  SearchImageSets: [25, 50], GetImageSet: [25, 50], GetImageSetMetadata: [50, 100], GetImageFrame: [1000, 2000],
  ListImageSetVersions: [25, 50], UpdateImageSetMetadata: [0.25, 1], CopyImageSet: [0.25, 1], DeleteImageSet: [0.25, 1],
  TagResource: [10, 20], UntagResource: [10, 20], ListTagsForResource: [10, 20],
};
export const OPERATIONS = Object.keys(QUOTAS);

interface Route { method: string; segments: string[]; op: string }
const ROUTES: Route[] = ([
  ['POST', '/datastore', 'CreateDatastore'],
  ['GET', '/datastore', 'ListDatastores'],
  ['GET', '/datastore/{datastoreId}', 'GetDatastore'],
  ['DELETE', '/datastore/{datastoreId}', 'DeleteDatastore'],
  ['POST', '/startDICOMImportJob/datastore/{datastoreId}', 'StartDICOMImportJob'],
  ['GET', '/getDICOMImportJob/datastore/{datastoreId}/job/{jobId}', 'GetDICOMImportJob'],
  ['GET', '/listDICOMImportJobs/datastore/{datastoreId}', 'ListDICOMImportJobs'],
  ['POST', '/datastore/{datastoreId}/searchImageSets', 'SearchImageSets'],
  ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/getImageSet', 'GetImageSet'],
  ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/getImageSetMetadata', 'GetImageSetMetadata'],
  ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/getImageFrame', 'GetImageFrame'],
  ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/listImageSetVersions', 'ListImageSetVersions'],
  ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/updateImageSetMetadata', 'UpdateImageSetMetadata'],
  ['POST', '/datastore/{datastoreId}/imageSet/{sourceImageSetId}/copyImageSet', 'CopyImageSet'],
  ['POST', '/datastore/{datastoreId}/imageSet/{imageSetId}/deleteImageSet', 'DeleteImageSet'],
  ['GET', '/tags/{resourceArn}', 'ListTagsForResource'],
  ['POST', '/tags/{resourceArn}', 'TagResource'],
  ['DELETE', '/tags/{resourceArn}', 'UntagResource'],
] as const).map(([method, p, op]) => ({ method, segments: p.split('/').slice(1), op }));

/** Matches a request path (segments already split, not yet decoded) to an operation. */
export function route(method: string, rawPath: string): { op: string; params: Record<string, string> } | undefined {
  const parts = rawPath.split('/').slice(1);
  for (const r of ROUTES) {
    if (r.method !== method || r.segments.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < parts.length && ok; i++) {
      const want = r.segments[i] as string;
      const got = parts[i] as string;
      if (want.startsWith('{')) {
        try {
          params[want.slice(1, -1)] = decodeURIComponent(got);
        } catch {
          ok = false;
        }
      } else ok = want === got;
    }
    if (ok) return { op: r.op, params };
  }
  return undefined;
}

class TokenBucket {
  private tokens: number;
  private last = Date.now();
  constructor(private readonly rate: number, private readonly burst: number) {
    this.tokens = burst;
  }
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The region a SigV4-signed request was signed for (any credentials are accepted). */
function regionOf(req: http.IncomingMessage): string {
  const auth = req.headers.authorization ?? '';
  const m = /Credential=[^/]+\/\d{8}\/([a-z0-9-]+)\//.exec(auth);
  return m?.[1] ?? 'us-east-1';
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const log = options.log ?? (() => undefined);
  const store = new Store(options.dataDir, { fsync: options.fsync });
  store.load();
  const settings: ServiceSettings = {
    updateDelayMs: options.updateDelayMs ?? DEFAULT_UPDATE_DELAY_MS,
    maxAttributeBytes: options.maxAttributeBytes ?? SERVICE_MAX_ATTRIBUTE_BYTES,
    maxDatastores: 10,
    accountId: options.accountId ?? '123456789012',
    failUpdates: { count: 0 },
    failCopies: { count: 0 },
    log,
  };
  const service = new Service(store, settings);
  const s3Root = options.s3Root ?? (options.dataDir ? path.join(options.dataDir, 's3') : path.resolve('.emulator-s3'));
  const codec = await loadHtj2kCodec();
  const jobs = new ImportJobs(service, s3Root, codec);
  if (options.seed && store.datastores.size === 0) loadSeed(service, codec);
  service.resume();

  let latencyMs = options.latencyMs ?? 0;
  const throttleNext = new Map<string, number>();
  const errorNext = new Map<string, { type: ErrorType; count: number; message?: string }>();
  const buckets = new Map<string, TokenBucket>();
  const initialDelay = settings.updateDelayMs;
  let damageFrames = { count: 0, how: 'garble' as FrameDamage };
  const counts = new Map<string, RequestCount>();
  const countRequest = (operation: string, status: number): void => {
    let count = counts.get(operation);
    if (!count) counts.set(operation, (count = { total: 0, byStatus: {} }));
    count.total += 1;
    count.byStatus[status] = (count.byStatus[status] ?? 0) + 1;
  };

  const faults: EmulatorFaults = {
    throttleNext(operation, count) {
      if (!OPERATIONS.includes(operation)) throw new Error(`throttleNext: unknown operation '${operation}'; expected one of ${OPERATIONS.join(', ')}`);
      if (!Number.isInteger(count) || count < 0) throw new Error(`throttleNext: count must be a non-negative integer (got ${count})`);
      throttleNext.set(operation, count);
    },
    errorNext(operation, type, count, message) {
      if (!OPERATIONS.includes(operation)) throw new Error(`errorNext: unknown operation '${operation}'; expected one of ${OPERATIONS.join(', ')}`);
      if (!(MODELLED_ERRORS as readonly string[]).includes(type)) throw new Error(`errorNext: unknown error type '${type}'; expected one of ${MODELLED_ERRORS.join(', ')}`);
      if (!Number.isInteger(count) || count < 0) throw new Error(`errorNext: count must be a non-negative integer (got ${count})`);
      errorNext.set(operation, { type: type as ErrorType, count, message });
    },
    failNextUpdates(count, message) {
      if (!Number.isInteger(count) || count < 0) throw new Error(`failNextUpdates: count must be a non-negative integer (got ${count})`);
      settings.failUpdates = { count, message };
    },
    damageNextFrames(count, how = 'garble') {
      if (!Number.isInteger(count) || count < 0) throw new Error(`damageNextFrames: count must be a non-negative integer (got ${count})`);
      if (!FRAME_DAMAGES.includes(how)) throw new Error(`damageNextFrames: unknown damage '${String(how)}'; expected one of ${FRAME_DAMAGES.join(', ')}`);
      damageFrames = { count, how };
    },
    failNextCopies(count, message) {
      if (!Number.isInteger(count) || count < 0) throw new Error(`failNextCopies: count must be a non-negative integer (got ${count})`);
      settings.failCopies = { count, message };
    },
    setLatency(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`setLatency: ms must be a non-negative number (got ${ms})`);
      latencyMs = ms;
    },
    setUpdateDelay(ms) {
      if (!Number.isFinite(ms) || ms < 0) throw new Error(`setUpdateDelay: ms must be a non-negative number (got ${ms})`);
      settings.updateDelayMs = ms;
      service.hurry(Date.now() + ms);
    },
    requestCounts() {
      return Object.fromEntries([...counts].map(([op, c]) => [op, { total: c.total, byStatus: { ...c.byStatus } }]));
    },
    reset() {
      throttleNext.clear();
      errorNext.clear();
      buckets.clear();
      counts.clear();
      settings.failUpdates = { count: 0 };
      damageFrames = { count: 0, how: 'garble' };
      settings.failCopies = { count: 0 };
      latencyMs = options.latencyMs ?? 0;
      settings.updateDelayMs = initialDelay;
      service.hurry(Date.now() + initialDelay);
    },
  };
  const faultState = (): Record<string, unknown> => ({
    throttleNext: Object.fromEntries(throttleNext), errorNext: Object.fromEntries(errorNext), failNextUpdates: settings.failUpdates.count, failNextCopies: settings.failCopies.count,
    damageNextFrames: damageFrames.count ? damageFrames : 0,
    latencyMs, updateDelayMs: settings.updateDelayMs, throttle: options.throttle === true, requests: faults.requestCounts(),
  });

  const handlers: Record<string, (r: ServiceRequest) => ServiceResponse> = {
    CreateDatastore: (r) => service.createDatastore(r),
    GetDatastore: (r) => service.getDatastore(r),
    ListDatastores: (r) => service.listDatastores(r),
    DeleteDatastore: (r) => service.deleteDatastore(r),
    StartDICOMImportJob: (r) => jobs.start(r),
    GetDICOMImportJob: (r) => jobs.get(r),
    ListDICOMImportJobs: (r) => jobs.list(r),
    SearchImageSets: (r) => service.searchImageSets(r),
    GetImageSet: (r) => service.getImageSet(r),
    GetImageSetMetadata: (r) => service.getImageSetMetadata(r),
    GetImageFrame: (r) => service.getImageFrame(r),
    ListImageSetVersions: (r) => service.listImageSetVersions(r),
    UpdateImageSetMetadata: (r) => service.updateImageSetMetadata(r),
    CopyImageSet: (r) => service.copyImageSet(r),
    DeleteImageSet: (r) => service.deleteImageSet(r),
    TagResource: (r) => service.tagResource(r),
    UntagResource: (r) => service.untagResource(r),
    ListTagsForResource: (r) => service.listTagsForResource(r),
  };

  const send = (res: http.ServerResponse, status: number, headers: Record<string, string>, body: Buffer): void => {
    res.writeHead(status, { ...headers, 'Content-Length': String(body.length) });
    res.end(body);
  };
  const sendError = (res: http.ServerResponse, requestId: string, e: ApiError): void => {
    send(res, e.status, { 'Content-Type': 'application/json', 'x-amzn-requestid': requestId, 'x-amzn-errortype': e.type },
      Buffer.from(JSON.stringify({ __type: e.type, message: e.message })));
  };

  const internal = (req: http.IncomingMessage, res: http.ServerResponse, url: URL, body: Buffer): void => {
    const pathname = url.pathname;
    const json = (status: number, value: unknown): void => send(res, status, { 'Content-Type': 'application/json' }, Buffer.from(JSON.stringify(value)));
    if (req.method === 'GET' && pathname === '/_emulator/health') {
      const gc = (globalThis as { gc?: () => void }).gc;
      if (gc && url.searchParams.get('gc') === 'true') gc();
      const m = process.memoryUsage();
      json(200, {
        status: 'ok', datastores: store.datastores.size, imageSets: store.imageSets.size, persistent: store.persistent, faults: faultState(),
        memory: { rss: m.rss, heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers },
      });
      return;
    }
    if (pathname === '/_emulator/faults' && req.method === 'GET') { json(200, faultState()); return; }
    if (pathname === '/_emulator/faults' && req.method === 'POST') {
      try {
        const f = (body.length ? JSON.parse(body.toString('utf8')) : {}) as Record<string, unknown>;
        if (!f || typeof f !== 'object' || Array.isArray(f)) throw new Error('the body must be a JSON object');
        const known = ['reset', 'throttleNext', 'errorNext', 'failNextUpdates', 'failNextCopies', 'damageNextFrames', 'latencyMs', 'updateDelayMs'];
        const unknown = Object.keys(f).filter((k) => !known.includes(k));
        if (unknown.length) throw new Error(`unknown keys ${unknown.join(', ')}; expected ${known.join(', ')}`);
        if (f.reset === true) faults.reset();
        const tn = f.throttleNext;
        if (tn !== undefined) {
          for (const item of Array.isArray(tn) ? tn : [tn]) {
            const t = item as { operation?: unknown; count?: unknown };
            faults.throttleNext(String(t.operation), t.count === undefined ? 1 : Number(t.count));
          }
        }
        const en = f.errorNext;
        if (en !== undefined) {
          for (const item of Array.isArray(en) ? en : [en]) {
            const t = item as { operation?: unknown; type?: unknown; count?: unknown; message?: unknown };
            faults.errorNext(String(t.operation), String(t.type), t.count === undefined ? 1 : Number(t.count), typeof t.message === 'string' ? t.message : undefined);
          }
        }
        for (const key of ['failNextUpdates', 'failNextCopies'] as const) {
          const fn = f[key];
          if (typeof fn === 'number') faults[key](fn);
          else if (fn && typeof fn === 'object') {
            const x = fn as { count?: unknown; message?: unknown };
            faults[key](Number(x.count ?? 1), typeof x.message === 'string' ? x.message : undefined);
          } else if (fn !== undefined) throw new Error(`${key} must be a count or {"count":N,"message":"..."}`);
        }
        const dn = f.damageNextFrames;
        if (typeof dn === 'number') faults.damageNextFrames(dn);
        else if (dn && typeof dn === 'object') {
          const x = dn as { count?: unknown; how?: unknown };
          faults.damageNextFrames(Number(x.count ?? 1), (x.how ?? 'garble') as FrameDamage);
        } else if (dn !== undefined) throw new Error('damageNextFrames must be a count or {"count":N,"how":"garble"|"truncate"}');
        if (f.latencyMs !== undefined) faults.setLatency(Number(f.latencyMs));
        if (f.updateDelayMs !== undefined) faults.setUpdateDelay(Number(f.updateDelayMs));
        json(200, faultState());
      } catch (e) {
        json(400, { message: `POST /_emulator/faults: ${(e as Error).message}` });
      }
      return;
    }
    json(404, { message: `unknown emulator path ${req.method} ${pathname}; use GET /_emulator/health, GET or POST /_emulator/faults` });
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, body: Buffer): Promise<void> => {
    const started = Date.now();
    const requestId = randomUUID();
    let url: URL;
    try {
      // An origin-form path, or an absolute-form URL (then its path is what routes).
      url = new URL(req.url ?? '/', 'http://127.0.0.1');
    } catch {
      sendError(res, requestId, new ApiError('ValidationException', 'The request target is not a valid path or URL'));
      log(`${req.method} (malformed request target) 400 ValidationException ${Date.now() - started}ms`);
      return;
    }
    if (url.pathname.startsWith('/_emulator/')) { internal(req, res, url, body); return; }
    const matched = route(req.method ?? 'GET', url.pathname);
    let status = 200;
    let errorType = '';
    try {
      if (!matched) throw new ApiError('UnknownOperationException', `No operation matches ${req.method} ${url.pathname}`);
      if (latencyMs > 0) await sleep(latencyMs);
      const injected = errorNext.get(matched.op);
      if (injected && injected.count > 0) {
        injected.count -= 1;
        throw new ApiError(injected.type, injected.message ?? `${injected.type} injected by the emulator for ${matched.op}`);
      }
      const pendingThrottle = throttleNext.get(matched.op) ?? 0;
      if (pendingThrottle > 0) {
        throttleNext.set(matched.op, pendingThrottle - 1);
        throw new ApiError('ThrottlingException', `Rate exceeded for ${matched.op}`);
      }
      if (options.throttle) {
        let b = buckets.get(matched.op);
        if (!b) buckets.set(matched.op, (b = new TokenBucket(...(QUOTAS[matched.op] as [number, number]))));
        if (!b.take()) throw new ApiError('ThrottlingException', `Rate exceeded for ${matched.op}`);
      }
      let parsed: unknown;
      if (body.length > 0) {
        try {
          parsed = JSON.parse(body.toString('utf8'));
        } catch (e) {
          throw new ApiError('SerializationException', `The request body is not valid JSON: ${(e as Error).message}`);
        }
        requireShallowJson(parsed, 'The request body');
      }
      const out = (handlers[matched.op] as (r: ServiceRequest) => ServiceResponse)({ params: matched.params, query: url.searchParams, body: parsed, region: regionOf(req) });
      countRequest(matched.op, 200);
      if ('json' in out) {
        send(res, 200, { 'Content-Type': 'application/json', 'x-amzn-requestid': requestId }, Buffer.from(JSON.stringify(out.json)));
      } else {
        let bytes = out.bytes;
        if (matched.op === 'GetImageFrame' && damageFrames.count > 0) {
          damageFrames.count -= 1;
          bytes = damageFrame(bytes, damageFrames.how);
        }
        send(res, 200, { ...out.headers, 'x-amzn-requestid': requestId }, bytes);
      }
    } catch (e) {
      const err = e instanceof ApiError ? e : new ApiError('InternalServerException', 'The emulator failed to process the request');
      if (!(e instanceof ApiError)) log(`[emulator] internal error in ${matched?.op ?? 'request'}: ${(e as Error).stack ?? String(e)}`);
      status = err.status;
      errorType = ` ${err.type}`;
      if (matched) countRequest(matched.op, status);
      sendError(res, requestId, err);
    }
    const ids = [
      ...Object.entries(matched?.params ?? {}),
      ...['version', 'latestVersion', 'force'].flatMap((k) => (url.searchParams.has(k) ? [[k, url.searchParams.get(k) as string]] : [])),
    ].map(([k, v]) => `${k}=${v}`).join(' ');
    log(`${matched?.op ?? `${req.method} ${url.pathname}`} ${status}${errorType} ${Date.now() - started}ms${ids ? ` ${ids}` : ''}`);
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) {
        sendError(res, randomUUID(), new ApiError('ValidationException', `The request body is larger than ${MAX_BODY_BYTES} bytes`));
        return;
      }
      handle(req, res, Buffer.concat(chunks)).catch((e) => {
        log(`[emulator] unexpected failure: ${(e as Error).message}`);
        if (!res.headersSent) sendError(res, randomUUID(), new ApiError('InternalServerException', 'The emulator failed to process the request'));
      });
    });
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as { port: number }).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    faults,
    close() {
      closing ??= new Promise<void>((resolve) => {
        service.close();
        store.save();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

/** Loads the deterministic sample data: one data store, ids derived from the seed index. */
function loadSeed(service: Service, codec: OpenJphModule): void {
  const sets = generateSeed(codec);
  const created = Math.min(...sets.map((s) => s.createdAt)) - 86400000;
  service.store.datastores.set(SEED_DATASTORE_ID, {
    datastoreId: SEED_DATASTORE_ID, datastoreName: SEED_DATASTORE_NAME, datastoreStatus: 'ACTIVE', createdAt: created, updatedAt: created,
    losslessStorageFormat: 'HTJ2K', tags: { purpose: 'sample-data' },
  });
  sets.forEach((s, i) => {
    service.addImageSet({
      datastoreId: SEED_DATASTORE_ID, imageSetId: seedImageSetId(i), metadata: s.metadata, isPrimary: s.isPrimary,
      createdAt: s.createdAt, updatedAt: s.updatedAt, status: 'IMPORTED', frames: s.frames,
    });
  });
  service.store.save();
}
