// StartDICOMImportJob / GetDICOMImportJob / ListDICOMImportJobs, and the job state machine
// SUBMITTED -> IN_PROGRESS -> COMPLETED | FAILED. S3 is a folder:
//   s3://<bucket>/<prefix>  <->  <s3Root>/<bucket>/<prefix>
// Every file under the input prefix is read (folders recursively, names starting with "." skipped);
// the output manifests go to <output>/<datastoreId>-DicomImport-<jobId>/.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { OpenJphModule } from '../../src/core/htj2k';
import { importDicomFiles, type ImportedImageSet } from './dicomImport';
import { newId, type Json, type Service, type ServiceRequest, type ServiceResponse } from './service';
import { writeFileAtomic, type ImageSetRecord, type JobRecord, type JobStatus } from './store';
import {
  ACCOUNT_ID, CLIENT_TOKEN, conflict, epochSeconds, JOB_ID, NAME, notFound, page, queryMaxResults, requireEnum, requireId,
  requireObject, requireString, ROLE_ARN, S3_URI, validation,
} from './wire';

const MAX_FOLDERS = 10000;

export class ImportJobs {
  /** `codec` stores imported native and RLE pixel data as lossless HTJ2K. */
  constructor(private readonly service: Service, private readonly s3Root: string, private readonly codec: OpenJphModule) {
    service.addResumer(() => this.resume());
  }

  private get store() {
    return this.service.store;
  }

  /** The folder an s3:// URI stands for. */
  folderOf(uri: string, field: string): string {
    const m = /^s3:\/\/([^/]+)(?:\/(.*))?$/.exec(uri);
    if (!m) throw validation(`${field} must look like s3://<bucket>/<prefix>`);
    const parts = (m[2] ?? '').split('/').filter((p) => p !== '');
    if (parts.some((p) => p === '..' || p === '.')) throw validation(`${field} must not contain '.' or '..' path segments`);
    return path.join(this.s3Root, m[1] as string, ...parts);
  }

  private resume(): void {
    for (const j of this.store.jobs.values()) {
      if (j.dueAt !== undefined) this.service.schedule(j.dueAt, () => this.advance(j.jobId));
    }
  }

  start(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const body = requireObject(req.body, 'body') as Json;
    const jobName = requireString(body.jobName, 'jobName', { min: 1, max: 64, pattern: NAME, required: false });
    const dataAccessRoleArn = requireString(body.dataAccessRoleArn, 'dataAccessRoleArn', { min: 20, max: 2048, pattern: ROLE_ARN }) as string;
    const clientToken = requireString(body.clientToken, 'clientToken', { min: 1, max: 64, pattern: CLIENT_TOKEN }) as string;
    const inputS3Uri = requireString(body.inputS3Uri, 'inputS3Uri', { min: 1, max: 1024, pattern: S3_URI }) as string;
    const outputS3Uri = requireString(body.outputS3Uri, 'outputS3Uri', { min: 1, max: 1024, pattern: S3_URI }) as string;
    const inputOwnerAccountId = requireString(body.inputOwnerAccountId, 'inputOwnerAccountId', { min: 12, max: 12, pattern: ACCOUNT_ID, required: false });
    if (body.importConfiguration !== undefined && body.importConfiguration !== null) {
      throw validation('importConfiguration (DICOM JSON metadata import) is not supported by this emulator; import DICOM Part 10 files');
    }
    this.folderOf(inputS3Uri, 'inputS3Uri');
    this.folderOf(outputS3Uri, 'outputS3Uri');
    this.service.datastore(datastoreId, true);
    for (const j of this.store.jobs.values()) {
      if (j.datastoreId === datastoreId && j.clientToken === clientToken) {
        if (j.inputS3Uri !== inputS3Uri || j.outputS3Uri !== outputS3Uri) throw conflict(`clientToken ${clientToken} was already used with different parameters`);
        return { json: { datastoreId, jobId: j.jobId, jobStatus: j.jobStatus, submittedAt: epochSeconds(j.submittedAt) } };
      }
    }
    const jobId = newId();
    const now = Date.now();
    const job: JobRecord = {
      jobId, jobName: jobName ?? jobId, jobStatus: 'SUBMITTED', datastoreId, dataAccessRoleArn, inputS3Uri, outputS3Uri,
      inputOwnerAccountId, clientToken, submittedAt: now, dueAt: now + this.service.settings.updateDelayMs,
    };
    this.store.jobs.set(jobId, job);
    this.store.save();
    this.service.schedule(job.dueAt as number, () => this.advance(jobId));
    this.service.settings.log(`[emulator] import job ${jobId} submitted for datastore ${datastoreId}`);
    return { json: { datastoreId, jobId, jobStatus: job.jobStatus, submittedAt: epochSeconds(now) } };
  }

  private advance(jobId: string): void {
    const job = this.store.jobs.get(jobId);
    if (!job || job.dueAt === undefined || this.service.early(job.dueAt, () => this.advance(jobId))) return;
    if (job.jobStatus === 'SUBMITTED') {
      job.jobStatus = 'IN_PROGRESS';
      job.dueAt = Date.now() + this.service.settings.updateDelayMs;
      this.store.save();
      this.service.schedule(job.dueAt, () => this.advance(jobId));
      return;
    }
    try {
      this.run(job);
    } catch (e) {
      job.jobStatus = 'FAILED';
      job.message = `INTERNAL_ERROR: ${(e as Error).message}`.slice(0, 2048);
    }
    job.endedAt = Date.now();
    delete job.dueAt;
    this.store.save();
    this.service.settings.log(`[emulator] import job ${jobId} ${job.jobStatus}`);
  }

  private listFiles(root: string): string[] {
    const out: string[] = [];
    let folders = 0;
    const walk = (dir: string): void => {
      if (++folders > MAX_FOLDERS) throw new Error(`the input has more than ${MAX_FOLDERS} nested folders`);
      for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (entry.name.startsWith('.')) continue;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) walk(full);
        else if (entry.isFile()) out.push(full);
      }
    };
    walk(root);
    return out;
  }

  private run(job: JobRecord): void {
    const input = this.folderOf(job.inputS3Uri, 'inputS3Uri');
    const inputUri = job.inputS3Uri.replace(/\/+$/, '');
    const files = fs.existsSync(input) && fs.statSync(input).isDirectory() ? this.listFiles(input) : [];
    if (files.length === 0) {
      job.jobStatus = 'FAILED';
      job.message = `INPUT_NOT_FOUND: there are no objects under ${job.inputS3Uri}`;
      return;
    }
    const read = files.map((f) => ({ path: `${inputUri}/${path.relative(input, f).split(path.sep).join('/')}`, bytes: new Uint8Array(fs.readFileSync(f)) }));
    const { imageSets, results } = importDicomFiles(read, this.codec);
    const summaries = imageSets.map((set) => this.place(job, set));

    const outDir = path.join(this.folderOf(job.outputS3Uri, 'outputS3Uri'), `${job.datastoreId}-DicomImport-${job.jobId}`);
    const outUri = `${job.outputS3Uri.replace(/\/+$/, '')}/${job.datastoreId}-DicomImport-${job.jobId}`;
    const ok = results.filter((r) => r.ok);
    const failed = results.filter((r) => !r.ok);
    writeFileAtomic(path.join(outDir, 'SUCCESS', 'success.ndjson'), ok.map((r) => JSON.stringify({ inputFile: r.path })).join('\n') + (ok.length ? '\n' : ''));
    writeFileAtomic(path.join(outDir, 'FAILURE', 'failure.ndjson'),
      failed.map((r) => JSON.stringify({ inputFile: r.path, exception: { exceptionType: 'ValidationException', message: r.error ?? 'the file could not be imported' } })).join('\n') + (failed.length ? '\n' : ''));
    const manifest = {
      jobSummary: {
        jobId: job.jobId, datastoreId: job.datastoreId, inputS3Uri: job.inputS3Uri, outputS3Uri: outUri,
        successOutputS3Uri: `${outUri}/SUCCESS/`, failureOutputS3Uri: `${outUri}/FAILURE/`,
        numberOfScannedFiles: results.length, numberOfImportedFiles: ok.length, numberOfFilesWithCustomerError: failed.length,
        numberOfFilesWithServerError: 0, numberOfGeneratedImageSets: summaries.filter((s) => s.imageSetVersion === 1).length,
        imageSetsSummary: summaries,
      },
    };
    writeFileAtomic(path.join(outDir, 'job-output-manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
    job.jobStatus = 'COMPLETED';
    if (failed.length > 0) job.message = `${failed.length} of ${results.length} files were not imported; see ${outUri}/FAILURE/failure.ndjson`;
  }

  /** Creates the image set, or adds a version to the primary image set of the same study and series. */
  private place(job: JobRecord, set: ImportedImageSet): { imageSetId: string; imageSetVersion: number; isPrimary: boolean; numberOfMatchedSOPInstances: number } {
    const now = Date.now();
    const sameSeries = (s: ImageSetRecord): boolean => {
      const sum = this.store.summaryOf(s.versions[s.versions.length - 1]!.content);
      return sum.studyInstanceUID === set.studyInstanceUID && sum.seriesInstanceUIDs.length === set.seriesInstanceUIDs.length
        && set.seriesInstanceUIDs.every((u) => sum.seriesInstanceUIDs.includes(u));
    };
    const existing = [...this.store.imageSets.values()].find((s) => s.datastoreId === job.datastoreId && s.isPrimary && s.state !== 'DELETED' && sameSeries(s));
    let conflicting = existing !== undefined;
    if (existing && existing.state === 'ACTIVE') {
      const doc = this.service.document(existing);
      const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
      const incoming = set.metadata as Json;
      if (same((doc.Patient as Json)?.DICOM, (incoming.Patient as Json)?.DICOM) && same((doc.Study as Json)?.DICOM, (incoming.Study as Json)?.DICOM)) {
        const docSeries = ((doc.Study as Json).Series ?? {}) as Record<string, Json>;
        const matched = set.sopInstanceUIDs.filter((sop) => Object.values(docSeries).some((s) => (s.Instances as Json | undefined)?.[sop] !== undefined)).length;
        const series: Record<string, Json> = { ...docSeries };
        for (const [uid, s] of Object.entries(((incoming.Study as Json).Series ?? {}) as Record<string, Json>)) {
          const old = series[uid];
          series[uid] = old ? { ...old, DICOM: s.DICOM, Instances: { ...(old.Instances as Json), ...(s.Instances as Json) } } : s;
        }
        this.service.addImportedVersion(existing, { ...doc, Study: { ...(doc.Study as Json), Series: series } }, set.frames);
        return { imageSetId: existing.imageSetId, imageSetVersion: existing.versions.length, isPrimary: true, numberOfMatchedSOPInstances: matched };
      }
      conflicting = true;
    }
    const s = this.service.addImageSet({
      datastoreId: job.datastoreId, imageSetId: newId(), metadata: set.metadata, isPrimary: !conflicting, createdAt: now, updatedAt: now,
      status: 'IMPORTED', frames: set.frames,
    });
    return { imageSetId: s.imageSetId, imageSetVersion: 1, isPrimary: s.isPrimary, numberOfMatchedSOPInstances: 0 };
  }

  private properties(j: JobRecord, summary: boolean): Json {
    const base: Json = {
      jobId: j.jobId, jobName: j.jobName, jobStatus: j.jobStatus, datastoreId: j.datastoreId, dataAccessRoleArn: j.dataAccessRoleArn,
      endedAt: epochSeconds(j.endedAt), submittedAt: epochSeconds(j.submittedAt), message: j.message,
    };
    return summary ? base : { ...base, inputS3Uri: j.inputS3Uri, outputS3Uri: j.outputS3Uri };
  }

  get(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const jobId = requireString(req.params.jobId, 'jobId', { pattern: JOB_ID }) as string;
    this.service.datastore(datastoreId);
    const j = this.store.jobs.get(jobId);
    if (!j || j.datastoreId !== datastoreId) throw notFound(`Import job ${jobId} does not exist in datastore ${datastoreId}`);
    return { json: { jobProperties: this.properties(j, false) } };
  }

  list(req: ServiceRequest): ServiceResponse {
    const datastoreId = requireId(req.params.datastoreId, 'datastoreId');
    const jobStatus = requireEnum(req.query.get('jobStatus') ?? undefined, 'jobStatus', ['SUBMITTED', 'IN_PROGRESS', 'COMPLETED', 'FAILED'] as const, false) as JobStatus | undefined;
    const maxResults = queryMaxResults(req.query.get('maxResults'));
    this.service.datastore(datastoreId);
    const jobs = [...this.store.jobs.values()]
      .filter((j) => j.datastoreId === datastoreId && (!jobStatus || j.jobStatus === jobStatus))
      .sort((a, b) => b.submittedAt - a.submittedAt || (a.jobId < b.jobId ? -1 : 1));
    const p = page(jobs, req.query.get('nextToken'), maxResults, { op: 'ListDICOMImportJobs', datastoreId, jobStatus });
    return { json: { jobSummaries: p.items.map((j) => this.properties(j, true)), nextToken: p.nextToken } };
  }
}
