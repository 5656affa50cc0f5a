// Conformance: StartDICOMImportJob with real DICOM Part 10 files (Debian's python3-pydicom test
// files), through the real SDK over HTTP; the resulting metadata checked against the files as dcmjs
// reads them (independently of the emulator's normalization).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import {
  CreateDatastoreCommand, GetDatastoreCommand, GetDICOMImportJobCommand, GetImageFrameCommand, GetImageSetCommand,
  GetImageSetMetadataCommand, ListDICOMImportJobsCommand, ResourceNotFoundException, SearchImageSetsCommand,
  StartDICOMImportJobCommand, ValidationException,
} from '@aws-sdk/client-medical-imaging';
import { decodeHtj2k } from '../../src/core/htj2k';
import { loadHtj2kCodec } from '../src/htj2k';
import { until, modelFrameContentType, readMetadata, rejection, startHarness, stopHarness, type Doc, type Harness } from './helpers';
import { pydicomTestFiles } from './pydicomFiles';

type DcmDict = Record<string, { vr: string; Value?: unknown[] }>;
const dcmjs = require('dcmjs') as {
  data: {
    DicomMessage: { readFile(b: ArrayBuffer): { dict: DcmDict; meta: DcmDict }; _read(stream: unknown, syntax: string, options: object): DcmDict };
    ReadBufferStream: new (b: ArrayBuffer) => unknown;
  };
};

/** The file as dcmjs reads it; a bare data set without file meta (rtstruct.dcm) is read as implicit VR little endian
 *  and has no file meta elements. */
function readFile(file: string): { dict: DcmDict; meta: DcmDict } {
  const bytes = new Uint8Array(fs.readFileSync(file));
  if (Buffer.from(bytes.subarray(128, 132)).toString('latin1') === 'DICM') return dcmjs.data.DicomMessage.readFile(bytes.buffer);
  const dict = dcmjs.data.DicomMessage._read(new dcmjs.data.ReadBufferStream(bytes.buffer), '1.2.840.10008.1.2', {});
  return { dict, meta: {} };
}

const ROLE = 'arn:aws:iam::123456789012:role/ImportRole';
const FILES = ['CT_small.dcm', 'MR_small.dcm', 'rtstruct.dcm', 'test-SR.dcm'];

/** A value of the file as dcmjs reads it: first value, PN as its alphabetic form, empty as null, absent as undefined. */
function fileValue(dict: Record<string, { Value?: unknown[] }>, tag: string): unknown {
  if (!(tag in dict)) return undefined;
  const v = dict[tag]?.Value?.[0];
  if (v === undefined || v === '') return null;   // an empty element is null in the metadata
  if (v && typeof v === 'object' && 'Alphabetic' in (v as object)) return (v as { Alphabetic: string }).Alphabetic;
  return v;
}

describe('emulator: DICOM import jobs with the pydicom test files', function () {
  this.timeout(120000);
  let h: Harness;
  let s3Root: string;
  let datastoreId: string;
  let source: string;

  before(async () => {
    source = await pydicomTestFiles();
    s3Root = fs.mkdtempSync(path.join(os.tmpdir(), 'emulator-s3-'));
    const input = path.join(s3Root, 'input-bucket', 'study1');
    fs.mkdirSync(path.join(input, 'nested'), { recursive: true });
    for (const f of FILES) fs.copyFileSync(path.join(source, f), path.join(f === 'rtstruct.dcm' ? path.join(input, 'nested') : input, f));
    fs.writeFileSync(path.join(input, 'notes.txt'), 'not a DICOM file');
    h = await startHarness({ s3Root, updateDelayMs: 100 });
    datastoreId = (await h.client.send(new CreateDatastoreCommand({ datastoreName: 'imports', clientToken: 'imports' }))).datastoreId as string;
    await until('ACTIVE', async () => ((await h.client.send(new GetDatastoreCommand({ datastoreId }))).datastoreProperties?.datastoreStatus === 'ACTIVE' ? true : undefined));
  });
  after(async () => {
    await stopHarness(h);
    if (s3Root) fs.rmSync(s3Root, { recursive: true, force: true });
  });

  const start = (inputS3Uri: string, clientToken: string) => h.client.send(new StartDICOMImportJobCommand({
    datastoreId, jobName: 'pydicom', dataAccessRoleArn: ROLE, clientToken, inputS3Uri, outputS3Uri: 's3://output-bucket/results/',
  }));
  const finish = async (jobId: string): Promise<{ statuses: string[]; job: Doc }> => {
    const statuses: string[] = [];
    const job = await until(`import job ${jobId}`, async () => {
      const r = await h.client.send(new GetDICOMImportJobCommand({ datastoreId, jobId }));
      const s = r.jobProperties?.jobStatus as string;
      if (statuses[statuses.length - 1] !== s) statuses.push(s);
      return s === 'COMPLETED' || s === 'FAILED' ? r.jobProperties : undefined;
    });
    return { statuses, job: job as Doc };
  };

  let jobId: string;
  const imported: Array<{ imageSetId: string; doc: Doc }> = [];

  it('runs SUBMITTED -> IN_PROGRESS -> COMPLETED and writes the output manifests', async () => {
    const r = await start('s3://input-bucket/study1/', 'job-1');
    assert.equal(r.jobStatus, 'SUBMITTED');
    assert.ok(r.submittedAt instanceof Date);
    jobId = r.jobId as string;
    const { statuses, job } = await finish(jobId);
    const order = ['SUBMITTED', 'IN_PROGRESS', 'COMPLETED'];
    assert.deepEqual(statuses, order.filter((s) => statuses.includes(s)), `states in order: ${statuses.join(' -> ')}`);
    assert.equal(job.jobStatus, 'COMPLETED');
    assert.equal(job.inputS3Uri, 's3://input-bucket/study1/');
    assert.ok(job.endedAt instanceof Date);
    assert.match(job.message as string, /1 of 5 files were not imported/);

    const out = path.join(s3Root, 'output-bucket', 'results', `${datastoreId}-DicomImport-${jobId}`);
    const manifest = JSON.parse(fs.readFileSync(path.join(out, 'job-output-manifest.json'), 'utf8')) as Doc;
    assert.equal(manifest.jobSummary.numberOfScannedFiles, 5);
    assert.equal(manifest.jobSummary.numberOfImportedFiles, 4);
    assert.equal(manifest.jobSummary.numberOfFilesWithCustomerError, 1);
    assert.equal(manifest.jobSummary.imageSetsSummary.length, 4);
    for (const s of manifest.jobSummary.imageSetsSummary as Doc[]) {
      assert.match(s.imageSetId, /^[0-9a-z]{32}$/);
      assert.equal(s.imageSetVersion, 1);
      assert.equal(s.isPrimary, true);
    }
    const failures = fs.readFileSync(path.join(out, 'FAILURE', 'failure.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Doc);
    assert.deepEqual(failures.map((f) => f.inputFile), ['s3://input-bucket/study1/notes.txt']);
    const successes = fs.readFileSync(path.join(out, 'SUCCESS', 'success.ndjson'), 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as Doc).inputFile).sort();
    assert.deepEqual(successes, ['s3://input-bucket/study1/CT_small.dcm', 's3://input-bucket/study1/MR_small.dcm', 's3://input-bucket/study1/nested/rtstruct.dcm', 's3://input-bucket/study1/test-SR.dcm']);

    for (const s of manifest.jobSummary.imageSetsSummary as Doc[]) {
      const g = await h.client.send(new GetImageSetCommand({ datastoreId, imageSetId: s.imageSetId }));
      assert.equal(g.imageSetWorkflowStatus, 'IMPORTED');
      const doc = await readMetadata((await h.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId: s.imageSetId }))).imageSetMetadataBlob as never);
      imported.push({ imageSetId: s.imageSetId, doc });
    }
  });

  it('lists the job (and filters by status)', async () => {
    const all = await h.client.send(new ListDICOMImportJobsCommand({ datastoreId }));
    assert.ok(all.jobSummaries?.some((j) => j.jobId === jobId && j.jobStatus === 'COMPLETED' && j.jobName === 'pydicom'));
    const failed = await h.client.send(new ListDICOMImportJobsCommand({ datastoreId, jobStatus: 'FAILED' }));
    assert.ok(!failed.jobSummaries?.some((j) => j.jobId === jobId));
  });

  it('normalizes each file into Patient / Study / Series / Instance levels, field by field', () => {
    for (const name of FILES) {
      const file = readFile(path.join(source, name));
      const d = file.dict;
      const sop = fileValue(d, '00080018') as string;
      const set = imported.find((x) => Object.values(x.doc.Study.Series as Record<string, Doc>).some((s) => s.Instances[sop]));
      assert.ok(set, `${name}: an image set holds SOP instance ${sop}`);
      const doc = set.doc;
      assert.equal(doc.SchemaVersion, '1.1');
      assert.equal(doc.DatastoreID, datastoreId);
      assert.equal(doc.ImageSetID, set.imageSetId);
      const series = doc.Study.Series[fileValue(d, '0020000E') as string] as Doc;
      assert.ok(series, `${name}: series keyed by its SeriesInstanceUID`);
      const instance = series.Instances[sop] as Doc;
      // Absent from the file (undefined) is absent from the metadata; empty (null) is null.
      assert.equal(doc.Patient.DICOM.PatientName, fileValue(d, '00100010'), `${name}: PatientName`);
      assert.equal(doc.Patient.DICOM.PatientID ?? undefined, fileValue(d, '00100020') ?? undefined, `${name}: PatientID`);
      assert.equal(doc.Study.DICOM.StudyInstanceUID, fileValue(d, '0020000D'), `${name}: StudyInstanceUID`);
      assert.equal(series.DICOM.SeriesInstanceUID, fileValue(d, '0020000E'), `${name}: SeriesInstanceUID`);
      assert.equal(series.DICOM.Modality, fileValue(d, '00080060'), `${name}: Modality`);
      assert.equal(instance.DICOM.SOPInstanceUID, sop, `${name}: SOPInstanceUID`);
      assert.equal(instance.DICOM.SOPClassUID, fileValue(d, '00080016'), `${name}: SOPClassUID`);
      assert.equal(instance.DICOM.TransferSyntaxUID, fileValue(file.meta, '00020010'), `${name}: TransferSyntaxUID at instance level`);
      assert.equal(instance.DICOM.PatientName, undefined, `${name}: patient elements are not repeated at instance level`);
      assert.equal(instance.DICOM.PixelData, undefined, `${name}: pixel data is not metadata`);
      assert.equal(doc.Study.DICOM.StudyDate, fileValue(d, '00080020'), `${name}: StudyDate`);
    }
  });

  it('keeps private tags as 8-hex keys with their VRs, and sequences as arrays of objects (CT_small, rtstruct)', () => {
    const ctFile = readFile(path.join(source, 'CT_small.dcm'));
    const privateTags = Object.keys(ctFile.dict).filter((t) => parseInt(t.slice(0, 4), 16) % 2 === 1 && ctFile.dict[t]?.vr !== 'SQ');
    assert.ok(privateTags.length > 0, 'CT_small.dcm has private tags');
    const ct = imported.find((x) => x.doc.Patient.DICOM.PatientName === 'CompressedSamples^CT1');
    assert.ok(ct, 'CT_small.dcm imported (PatientName CompressedSamples^CT1)');
    const inst = Object.values(Object.values(ct.doc.Study.Series as Record<string, Doc>)[0]?.Instances as Record<string, Doc>)[0] as Doc;
    for (const tag of privateTags) {
      const key = tag.toUpperCase();
      assert.ok(key in inst.DICOM, `private tag ${key} kept at instance level`);
      assert.equal(inst.DICOMVRs[key], ctFile.dict[tag]?.vr, `VR of ${key}`);
    }
    assert.equal(inst.DICOM.Rows, fileValue(ctFile.dict, '00280010'));
    assert.equal(inst.ImageFrames.length, 1);
    assert.equal(inst.StoredTransferSyntaxUID, '1.2.840.10008.1.2.4.202', 'stored as lossless HTJ2K');
    assert.ok(inst.ImageFrames[0].FrameSizeInBytes < 128 * 128 * 2, 'the stored (compressed) size');

    const rtFile = readFile(path.join(source, 'rtstruct.dcm'));
    const rt = imported.find((x) => x.doc.Study.DICOM.StudyInstanceUID === fileValue(rtFile.dict, '0020000D') && Object.values(x.doc.Study.Series as Record<string, Doc>)[0]?.DICOM.Modality === 'RTSTRUCT');
    assert.ok(rt, 'rtstruct.dcm imported');
    const rtInst = Object.values(Object.values(rt.doc.Study.Series as Record<string, Doc>)[0]?.Instances as Record<string, Doc>)[0] as Doc;
    const rois = rtInst.DICOM.StructureSetROISequence as Doc[];
    const fileRois = rtFile.dict['30060020']?.Value as Array<Record<string, { Value?: unknown[] }>>;
    assert.ok(Array.isArray(rois));
    assert.equal(rois.length, fileRois.length);
    rois.forEach((roi, i) => assert.equal(roi.ROIName, fileValue(fileRois[i] as Record<string, { Value?: unknown[] }>, '30060026')));
  });

  it('GetImageFrame returns the pixel data of CT_small.dcm as lossless HTJ2K (image/jph)', async () => {
    const ct = imported.find((x) => x.doc.Patient.DICOM.PatientName === 'CompressedSamples^CT1') as { imageSetId: string; doc: Doc };
    const inst = Object.values(Object.values(ct.doc.Study.Series as Record<string, Doc>)[0]?.Instances as Record<string, Doc>)[0] as Doc;
    const r = await h.client.send(new GetImageFrameCommand({ datastoreId, imageSetId: ct.imageSetId, imageFrameInformation: { imageFrameId: inst.ImageFrames[0].ID } }));
    const bytes = await (r.imageFrameBlob as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
    const file = readFile(path.join(source, 'CT_small.dcm'));
    const pixels = new Uint8Array(file.dict['7FE00010']?.Value?.[0] as ArrayBuffer);
    assert.equal(r.contentType, 'image/jph');
    assert.equal(bytes.length, inst.ImageFrames[0].FrameSizeInBytes);
    const decoded = decodeHtj2k(await loadHtj2kCodec(), bytes).pixels;
    assert.ok(Buffer.from(decoded).equals(Buffer.from(pixels)), 'the frame decodes to the file\'s pixel data');
    assert.equal(inst.ImageFrames[0].PixelDataChecksumFromBaseToFullResolution[0].Checksum, zlib.crc32(decoded));
  });

  it('GetImageFrame answers every frame with the content type the service model gives its stored transfer syntax (files in six encodings)', async () => {
    // JPEG extended, JPEG 2000, JPEG 2000 lossless, JPEG baseline, RLE, native: six instances (distinct SOP Instance UIDs).
    const files = ['JPEG-lossy.dcm', 'JPEG2000.dcm', 'MR_small_jp2klossless.dcm', 'SC_rgb_jpeg_dcmtk.dcm', 'SC_rgb_rle.dcm', 'liver_1frame.dcm'];
    // A data store of its own: MR_small_jp2klossless.dcm shares its UIDs with MR_small.dcm imported above.
    const store = (await h.client.send(new CreateDatastoreCommand({ datastoreName: 'frames', clientToken: 'frames' }))).datastoreId as string;
    await until('ACTIVE', async () => ((await h.client.send(new GetDatastoreCommand({ datastoreId: store }))).datastoreProperties?.datastoreStatus === 'ACTIVE' ? true : undefined));
    const input = path.join(s3Root, 'input-bucket', 'encodings');
    fs.mkdirSync(input, { recursive: true });
    for (const f of files) fs.copyFileSync(path.join(source, f), path.join(input, f));
    const { jobId: id } = await h.client.send(new StartDICOMImportJobCommand({
      datastoreId: store, jobName: 'encodings', dataAccessRoleArn: ROLE, clientToken: 'encodings', inputS3Uri: 's3://input-bucket/encodings/', outputS3Uri: 's3://output-bucket/encodings/',
    }));
    const job = await until(`import job ${id}`, async () => {
      const p = (await h.client.send(new GetDICOMImportJobCommand({ datastoreId: store, jobId: id }))).jobProperties;
      return p?.jobStatus === 'COMPLETED' || p?.jobStatus === 'FAILED' ? p : undefined;
    });
    assert.equal(job.jobStatus, 'COMPLETED');
    const manifest = JSON.parse(fs.readFileSync(path.join(s3Root, 'output-bucket', 'encodings', `${store}-DicomImport-${id}`, 'job-output-manifest.json'), 'utf8')) as Doc;
    assert.equal(manifest.jobSummary.numberOfImportedFiles, files.length, 'every file imported');

    const checked = new Map<string, string>();
    for (const { imageSetId } of manifest.jobSummary.imageSetsSummary as Doc[]) {
      const doc = await readMetadata((await h.client.send(new GetImageSetMetadataCommand({ datastoreId: store, imageSetId }))).imageSetMetadataBlob as never);
      for (const series of Object.values(doc.Study.Series as Record<string, Doc>)) {
        for (const [sop, inst] of Object.entries(series.Instances as Record<string, Doc>)) {
          assert.ok((inst.ImageFrames as Doc[]).length > 0, `instance ${sop} has frames`);
          for (const frame of inst.ImageFrames as Doc[]) {
            const r = await h.client.send(new GetImageFrameCommand({ datastoreId: store, imageSetId, imageFrameInformation: { imageFrameId: frame.ID } }));
            const bytes = await (r.imageFrameBlob as { transformToByteArray(): Promise<Uint8Array> }).transformToByteArray();
            assert.equal(bytes.length, frame.FrameSizeInBytes, `frame ${frame.ID} size`);
            const ts = inst.StoredTransferSyntaxUID as string | undefined;
            assert.equal(r.contentType, modelFrameContentType(ts), `frame of ${sop} stored as ${ts ?? '(missing)'}`);
            checked.set(`${sop} ${ts}`, r.contentType as string);
          }
        }
      }
    }
    assert.equal(checked.size, files.length, `one instance per file, every frame checked: ${[...checked].join(', ')}`);
  });

  it('finds the imported image sets with SearchImageSets by patient id', async () => {
    const ct = imported.find((x) => x.doc.Patient.DICOM.PatientName === 'CompressedSamples^CT1') as { imageSetId: string; doc: Doc };
    const r = await h.client.send(new SearchImageSetsCommand({ datastoreId, searchCriteria: { filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: ct.doc.Patient.DICOM.PatientID }] }] } }));
    assert.ok(r.imageSetsMetadataSummaries?.some((s) => s.imageSetId === ct.imageSetId && s.DICOMTags?.DICOMPatientName === 'CompressedSamples^CT1'));
  });

  it('a re-import of the same instance makes a new version of the primary image set', async () => {
    const again = path.join(s3Root, 'input-bucket', 'again');
    fs.mkdirSync(again, { recursive: true });
    fs.copyFileSync(path.join(source, 'CT_small.dcm'), path.join(again, 'CT_small.dcm'));
    const r = await start('s3://input-bucket/again', 'job-2');
    const { job } = await finish(r.jobId as string);
    assert.equal(job.jobStatus, 'COMPLETED');
    const manifest = JSON.parse(fs.readFileSync(path.join(s3Root, 'output-bucket', 'results', `${datastoreId}-DicomImport-${r.jobId}`, 'job-output-manifest.json'), 'utf8')) as Doc;
    const ct = imported.find((x) => x.doc.Patient.DICOM.PatientName === 'CompressedSamples^CT1') as { imageSetId: string };
    assert.deepEqual(manifest.jobSummary.imageSetsSummary, [{ imageSetId: ct.imageSetId, imageSetVersion: 2, isPrimary: true, numberOfMatchedSOPInstances: 1 }]);
    const g = await h.client.send(new GetImageSetCommand({ datastoreId, imageSetId: ct.imageSetId }));
    assert.equal(g.versionId, '2');
    assert.equal(g.imageSetWorkflowStatus, 'IMPORTED');
  });

  it('instances that conflict with the primary image set (other patient data) become a new non-primary image set', async () => {
    const bytes = fs.readFileSync(path.join(source, 'CT_small.dcm'));
    const at = bytes.indexOf(Buffer.from('CompressedSamples^CT1', 'latin1'));
    assert.ok(at > 0, 'CT_small.dcm names its patient');
    Buffer.from('CompressedSamples^XX9', 'latin1').copy(bytes, at); // same length: the file stays valid
    const folder = path.join(s3Root, 'input-bucket', 'conflict');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'CT_other_patient.dcm'), bytes);
    const r = await start('s3://input-bucket/conflict/', 'job-conflict');
    const { job } = await finish(r.jobId as string);
    assert.equal(job.jobStatus, 'COMPLETED');
    const manifest = JSON.parse(fs.readFileSync(path.join(s3Root, 'output-bucket', 'results', `${datastoreId}-DicomImport-${r.jobId}`, 'job-output-manifest.json'), 'utf8')) as Doc;
    const [summary] = manifest.jobSummary.imageSetsSummary as Doc[];
    const ct = imported.find((x) => x.doc.Patient.DICOM.PatientName === 'CompressedSamples^CT1') as { imageSetId: string };
    assert.notEqual(summary?.imageSetId, ct.imageSetId);
    assert.equal(summary?.isPrimary, false);
    assert.equal(summary?.imageSetVersion, 1);
    const g = await h.client.send(new GetImageSetCommand({ datastoreId, imageSetId: summary?.imageSetId }));
    assert.equal(g.isPrimary, false);
    const doc = await readMetadata((await h.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId: summary?.imageSetId }))).imageSetMetadataBlob as never);
    assert.equal(doc.Patient.DICOM.PatientName, 'CompressedSamples^XX9');
  });

  it('an input prefix without objects makes the job FAILED with a message', async () => {
    const r = await start('s3://input-bucket/nothing-here/', 'job-3');
    const { job } = await finish(r.jobId as string);
    assert.equal(job.jobStatus, 'FAILED');
    assert.match(job.message as string, /no objects under s3:\/\/input-bucket\/nothing-here\//);
  });

  it('validates the request and answers the same job for a repeated clientToken', async () => {
    const again = await start('s3://input-bucket/study1/', 'job-1');
    assert.equal(again.jobId, jobId);
    const bad = await rejection(start('http://not-s3/', 'job-4'));
    assert.ok(bad instanceof ValidationException);
    assert.match(bad.message, /inputS3Uri/);
    const role = await rejection(h.client.send(new StartDICOMImportJobCommand({ datastoreId, dataAccessRoleArn: 'not-a-role-arn-at-all', clientToken: 'x', inputS3Uri: 's3://a-b/c', outputS3Uri: 's3://a-b/d' })));
    assert.match(role.message, /dataAccessRoleArn/);
    const dots = await rejection(start('s3://input-bucket/../etc/', 'job-5'));
    assert.match(dots.message, /inputS3Uri/);
    const missing = await rejection(h.client.send(new GetDICOMImportJobCommand({ datastoreId, jobId: 'abc' })));
    assert.ok(missing instanceof ResourceNotFoundException);
  });
});
