// HealthImaging: Show Frames in the real extension host against the seeded emulator: the panel opens for an
// image set and reports (through the extension's test API) the decoded size of its frames; it follows the
// cursor in the metadata editor, in the expanded layout and with one line per instance; faults and what it
// cannot show become messages in their tiles while the rest keeps working.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as vscode from 'vscode';
import {
  GetDICOMImportJobCommand, GetImageSetMetadataCommand, SearchImageSetsCommand, StartDICOMImportJobCommand,
} from '@aws-sdk/client-medical-imaging';
import { SEED_DATASTORE_ID } from 'healthimaging-emulator';
import { findJsonPointerRange } from '../../src/core/metadataText';
import { MAX_ATTEMPTS_PER_REQUEST } from '../../src/aws/sdkHealthImagingClient';
import { parseMetadataUri } from '../../src/documents/metadataUri';
import type { FramesReport } from '../../src/frames/framesPanel';
import { setUpExtension, until, type ExtensionEnv } from './helpers';

const dcmjs = require('dcmjs') as {
  data: {
    DicomDict: new (meta: object) => { dict: Record<string, { vr: string }>; write(options?: object): ArrayBuffer };
    DicomMetaDictionary: { denaturalizeDataset(d: object): Record<string, { vr: string }> };
  };
  log: { setLevel(l: string): void };
};

type Json = Record<string, unknown>;
interface Instance { DICOM: Json; ImageFrames?: { ID: string }[]; StoredTransferSyntaxUID?: string }
interface Doc { Study: { Series: Record<string, { DICOM: Json; Instances: Record<string, Instance> }> } }

const SHOW_FRAMES = 'healthImaging.showFrames';

/** The document pretty-printed, except that each instance is one line (a compact layout). */
function oneLinePerInstance(doc: Doc): string {
  const lines: string[] = [];
  const copy = JSON.parse(JSON.stringify(doc)) as Doc;
  for (const s of Object.values(copy.Study.Series)) {
    for (const [sop, instance] of Object.entries(s.Instances)) {
      lines.push(JSON.stringify(instance));
      (s.Instances as Record<string, unknown>)[sop] = `\u0000${lines.length - 1}\u0000`;
    }
  }
  return JSON.stringify(copy, null, 2).replace(/"\\u0000(\d+)\\u0000"/g, (_, k: string) => lines[Number(k)]) + '\n';
}
const byNumber = (a: [string, Instance], b: [string, Instance]) => Number(a[1].DICOM.InstanceNumber) - Number(b[1].DICOM.InstanceNumber);

describe('frames panel', function () {
  this.timeout(120_000);
  let env: ExtensionEnv;
  let datastoreId: string;
  const docs = new Map<string, Doc>();
  let imageSetIds: string[] = [];
  let reports: FramesReport[] = [];
  let subscription: vscode.Disposable;

  async function metadata(imageSetId: string): Promise<Doc> {
    let doc = docs.get(imageSetId);
    if (!doc) {
      const out = await env.client.send(new GetImageSetMetadataCommand({ datastoreId, imageSetId }));
      doc = JSON.parse(gunzipSync(await out.imageSetMetadataBlob!.transformToByteArray()).toString('utf8')) as Doc;
      docs.set(imageSetId, doc);
    }
    return doc;
  }

  /** Image sets whose frames a panel fetched (the extension keeps them: they are not fetched again). */
  const shown = new Set<string>();

  /** The first seeded image set whose metadata passes `test` (and, if `unseen`, whose frames were not fetched yet). */
  async function find(test: (doc: Doc) => boolean, unseen = false): Promise<{ imageSetId: string; doc: Doc }> {
    for (const imageSetId of imageSetIds) {
      if (unseen && shown.has(imageSetId)) continue;
      const doc = await metadata(imageSetId);
      if (test(doc)) return { imageSetId, doc };
    }
    throw new Error('no seeded image set fits');
  }

  /** Runs Show Frames (with the argument a tree item, a URI or nothing gives it). */
  async function showFrames(arg?: unknown): Promise<vscode.Uri> {
    const uri = await vscode.commands.executeCommand<vscode.Uri>(SHOW_FRAMES, arg);
    shown.add(parseMetadataUri(uri).imageSetId);
    return uri;
  }

  const uriOf = (imageSetId: string) => vscode.Uri.parse(`healthimaging:/${datastoreId}/${imageSetId}.json`);
  const series = (doc: Doc) => Object.entries(doc.Study.Series).sort((a, b) => Number(a[1].DICOM.SeriesNumber) - Number(b[1].DICOM.SeriesNumber));
  const instancesOf = (doc: Doc, seriesUid: string) => Object.entries(doc.Study.Series[seriesUid].Instances).sort(byNumber);
  const modality = (doc: Doc) => series(doc)[0][1].DICOM.Modality;

  function report<T extends FramesReport>(what: string, test: (r: FramesReport) => r is T, timeoutMs = 30_000): Promise<T> {
    return until(what, () => reports.find(test), timeoutMs);
  }
  const viewOf = (imageSetId: string, sop: string, frameIndex = 0) => report(`the large view of ${sop} frame ${frameIndex}`,
    (r): r is Extract<FramesReport, { kind: 'rendered' }> => r.imageSetId === imageSetId && r.kind === 'rendered' && r.role === 'view' && r.sopInstanceUID === sop && r.frameIndex === frameIndex);
  const messageFor = (imageSetId: string, role: 'view' | 'thumbnail', sop: string, pattern: RegExp) => report(`a ${role} message for ${sop} matching ${pattern}`,
    (r): r is Extract<FramesReport, { kind: 'message' }> => r.imageSetId === imageSetId && r.kind === 'message' && r.role === role && r.sopInstanceUID === sop && pattern.test(r.message));

  async function closePanels(): Promise<void> {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    reports = [];
  }

  /** Puts the cursor of `editor` on the value at `pointer` (a JSON pointer into the document). */
  function moveCursor(editor: vscode.TextEditor, pointer: string): void {
    const range = findJsonPointerRange(editor.document.getText(), pointer);
    assert.ok(range, `${pointer} is in the text`);
    const position = editor.document.positionAt(range.offset + range.length - 1);
    editor.selection = new vscode.Selection(position, position);
  }

  before(async () => {
    env = await setUpExtension();
    datastoreId = SEED_DATASTORE_ID;
    const out = await env.client.send(new SearchImageSetsCommand({ datastoreId, maxResults: 50 }));
    imageSetIds = (out.imageSetsMetadataSummaries ?? []).map((s) => s.imageSetId!);
    subscription = env.api.frames.onDidReport((r) => reports.push(r));
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') console.log(`reports: ${JSON.stringify(reports.slice(0, 12))}`);
    env.emulator.faults.reset();
    await closePanels();
  });

  after(async () => {
    subscription?.dispose();
    await env?.dispose();
  });

  it('opens from an image set in the tree and reports the decoded size of its first frame', async () => {
    const nodes = await env.api.explorer.getChildren((await env.api.explorer.getChildren()).find((n) => n.kind === 'datastore'));
    const { imageSetId, doc } = await find((d) => modality(d) === 'CT' && series(d).length === 1 && instancesOf(d, series(d)[0][0]).length > 10 && instancesOf(d, series(d)[0][0]).length < 1000);
    const node = nodes.find((n) => n.kind === 'imageSet' && n.imageSetId === imageSetId);
    assert.ok(node, 'the tree lists the image set');
    const uri = await showFrames(node);
    assert.equal(uri.toString(), uriOf(imageSetId).toString());
    const panel = env.api.frames.panelFor(uri);
    assert.ok(panel, 'a panel is open for the image set');
    assert.match(panel.webviewPanel.title, new RegExp(`^Frames ${imageSetId.slice(0, 8)}`));

    const [seriesUid] = series(doc)[0];
    const [firstSop, first] = instancesOf(doc, seriesUid)[0];
    const view = await viewOf(imageSetId, firstSop);
    assert.deepEqual([view.width, view.height], [first.DICOM.Columns, first.DICOM.Rows], 'decoded size of the first frame');
    assert.ok(view.width >= 256 && view.height >= 256);
    await report('a thumbnail', (r): r is FramesReport => r.imageSetId === imageSetId && r.kind === 'rendered' && r.role === 'thumbnail');
    assert.ok(!reports.some((r) => r.kind === 'message'), `no tile shows a message: ${JSON.stringify(reports.filter((r) => r.kind === 'message'))}`);

    // Opening it again reveals the same panel.
    await showFrames(uriOf(imageSetId));
    assert.equal(env.api.frames.panelFor(uri), panel);
  });

  it('logs the time from opening the panel to the first thumbnail: the 5,200-instance CT image set, and a small one as the baseline', async () => {
    const size = (doc: Doc) => instancesOf(doc, series(doc)[0][0]).length;
    /** Opens the panel on an image set not shown before (no frame cached) and closes it after its first thumbnail. */
    const firstThumbnail = async (test: (doc: Doc) => boolean) => {
      const { imageSetId, doc } = await find((d) => modality(d) === 'CT' && test(d), true);
      await showFrames(uriOf(imageSetId));
      const first = await report('the first thumbnail', (r): r is Extract<FramesReport, { kind: 'rendered' }> => r.imageSetId === imageSetId && r.kind === 'rendered' && r.role === 'thumbnail');
      assert.equal(first.width, 256);
      await viewOf(imageSetId, instancesOf(doc, series(doc)[0][0])[0][0]);
      await closePanels();
      return { ms: first.msSinceOpen, count: size(doc) };
    };
    await firstThumbnail((d) => size(d) < 200); // warm-up: the host's first webview of this suite pays for loading the page
    const large = await firstThumbnail((d) => size(d) > 5000);
    const small = await firstThumbnail((d) => size(d) < 200);
    // The same numbers the extension logs ("[frames] <id>: first thumbnail N ms after opening the panel").
    console.log(`      frames: first thumbnail of the ${large.count}-instance CT image set ${large.ms} ms after opening the panel; ` +
      `of a ${small.count}-instance CT image set ${small.ms} ms (baseline); ratio ${(large.ms / Math.max(1, small.ms)).toFixed(2)}`);
  });

  it('follows the cursor: an instance shows its frame, a series\' DICOM that series, also with one line per instance', async () => {
    const { imageSetId, doc } = await find((d) => series(d).length >= 2 && series(d).every(([uid]) => instancesOf(d, uid).length >= 3 && instancesOf(d, uid)[0][1].ImageFrames));
    const [[s1], [s2]] = series(doc);
    const editor = await vscode.window.showTextDocument(uriOf(imageSetId), { preview: false });
    editor.selection = new vscode.Selection(0, 0, 0, 0);
    await showFrames(); // the active metadata editor's image set
    await viewOf(imageSetId, instancesOf(doc, s1)[0][0]);

    const [third] = instancesOf(doc, s1)[2];
    await vscode.window.showTextDocument(editor.document, editor.viewColumn);
    moveCursor(editor, `/Study/Series/${s1}/Instances/${third}/DICOM/InstanceNumber`);
    await viewOf(imageSetId, third);

    moveCursor(editor, `/Study/Series/${s2}/DICOM/Modality`);
    await viewOf(imageSetId, instancesOf(doc, s2)[0][0]);

    // The same document with each instance on one line (and no other formatting): the cursor is found by the
    // text's structure, not its lines.
    const compact = oneLinePerInstance(JSON.parse(editor.document.getText()) as Doc);
    assert.ok(compact.split('\n').length < editor.document.lineCount / 3, 'one line per instance');
    assert.deepEqual(JSON.parse(compact), JSON.parse(editor.document.getText()));
    await editor.edit((b) => b.replace(new vscode.Range(0, 0, editor.document.lineCount, 0), compact));
    const [fourth] = instancesOf(doc, s2)[3] ?? instancesOf(doc, s2)[1];
    reports = [];
    moveCursor(editor, `/Study/Series/${s2}/Instances/${fourth}/DICOM/SOPInstanceUID`);
    await viewOf(imageSetId, fourth);
    moveCursor(editor, `/Study/Series/${s1}/Instances/${third}/DICOMVRs`);
    await viewOf(imageSetId, third);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('follows the cursor into ImageFrames[k] of a multi-frame instance: frame k', async () => {
    const { imageSetId, doc } = await find((d) => modality(d) === 'US');
    const [seriesUid] = series(doc)[0];
    const [sop, instance] = instancesOf(doc, seriesUid)[0];
    assert.ok((instance.ImageFrames?.length ?? 0) >= 3, 'a multi-frame instance');
    const editor = await vscode.window.showTextDocument(uriOf(imageSetId), { preview: false });
    await showFrames(uriOf(imageSetId));
    await viewOf(imageSetId, sop);
    moveCursor(editor, `/Study/Series/${seriesUid}/Instances/${sop}/ImageFrames/2/ID`);
    const view = await viewOf(imageSetId, sop, 2);
    assert.deepEqual([view.width, view.height], [instance.DICOM.Columns, instance.DICOM.Rows]);
  });

  it('shows GetImageFrame errors in their tiles (not found, access denied, throttled) while the other frames show', async () => {
    for (const [type, pattern] of [
      ['ResourceNotFoundException', /GetImageFrame: not found/],
      ['AccessDeniedException', /Access denied: GetImageFrame needs the IAM permission medical-imaging:GetImageFrame/],
    ] as const) {
      const { imageSetId } = await find((d) => modality(d) === 'MR' && instancesOf(d, series(d)[0][0]).length > 5, true);
      env.emulator.faults.errorNext('GetImageFrame', type, 1);
      await showFrames(uriOf(imageSetId));
      const failed = await report(`a tile showing ${pattern}`, (r): r is Extract<FramesReport, { kind: 'message' }> => r.imageSetId === imageSetId && r.kind === 'message' && pattern.test(r.message));
      await report('another instance\'s thumbnail', (r): r is FramesReport => r.kind === 'rendered' && r.role === 'thumbnail' && r.sopInstanceUID !== failed.sopInstanceUID);
      await closePanels();
    }
    // Throttling is retried by the SDK: an image set of one frame, throttled on every attempt.
    const single = await find((d) => modality(d) === 'CR', true);
    const [sop] = instancesOf(single.doc, series(single.doc)[0][0])[0];
    env.emulator.faults.errorNext('GetImageFrame', 'ThrottlingException', MAX_ATTEMPTS_PER_REQUEST);
    const editor = await vscode.window.showTextDocument(uriOf(single.imageSetId), { preview: false });
    await showFrames(uriOf(single.imageSetId));
    await messageFor(single.imageSetId, 'view', sop, /HealthImaging throttled GetImageFrame; try again in a moment/);
    // The panel keeps working: an edit of the metadata redraws it, and the frame now arrives.
    await editor.edit((b) => b.insert(editor.document.positionAt(editor.document.getText().indexOf('"SeriesDescription": "') + 22), 'EDITED '));
    await viewOf(single.imageSetId, sop);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('shows a frame that does not decode as a message: garbled bytes, and a frame cut short (checksum)', async () => {
    for (const [how, pattern] of [
      ['garble', /^The frame could not be decoded: not a decodable HTJ2K codestream/],
      ['truncate', /^The frame could not be decoded: its pixels do not match the checksum in the metadata/],
    ] as const) {
      const { imageSetId } = await find((d) => modality(d) === 'CT' && instancesOf(d, series(d)[0][0]).length > 5, true);
      env.emulator.faults.damageNextFrames(1, how);
      await showFrames(uriOf(imageSetId));
      const failed = await report(`a tile showing ${pattern}`, (r): r is Extract<FramesReport, { kind: 'message' }> => r.imageSetId === imageSetId && r.kind === 'message' && pattern.test(r.message));
      await report('another instance\'s thumbnail', (r): r is FramesReport => r.kind === 'rendered' && r.role === 'thumbnail' && r.sopInstanceUID !== failed.sopInstanceUID);
      await closePanels();
    }
  });

  it('shows a message for an instance without ImageFrames, 1-bit and 32-bit pixels and transfer syntaxes it cannot decode', async () => {
    const report1 = await find((d) => modality(d) === 'SR');
    const [srSop] = instancesOf(report1.doc, series(report1.doc)[0][0])[0];
    await showFrames(uriOf(report1.imageSetId));
    await messageFor(report1.imageSetId, 'view', srSop, /^No image frames in this instance$/);
    await closePanels();

    // What the editor's text says is what the panel shows, unsaved edits included.
    const { imageSetId, doc } = await find((d) => modality(d) === 'MR' && instancesOf(d, series(d)[0][0]).length > 5);
    const [seriesUid] = series(doc)[0];
    const list = instancesOf(doc, seriesUid);
    const editor = await vscode.window.showTextDocument(uriOf(imageSetId), { preview: false });
    editor.selection = new vscode.Selection(0, 0, 0, 0); // not in an instance: the panel starts at the first one
    await showFrames(uriOf(imageSetId));
    await viewOf(imageSetId, list[0][0]);
    const set = async (sop: string, key: string, value: unknown) => {
      const range = findJsonPointerRange(editor.document.getText(), `/Study/Series/${seriesUid}/Instances/${sop}/${key}`);
      assert.ok(range);
      const start = editor.document.positionAt(range.offset);
      const end = editor.document.positionAt(range.offset + range.length);
      await editor.edit((b) => b.replace(new vscode.Range(start, end), `"${key.split('/').pop()}": ${JSON.stringify(value)}`));
    };
    await set(list[0][0], 'DICOM/BitsAllocated', 1);
    await set(list[1][0], 'DICOM/BitsAllocated', 32);
    await set(list[2][0], 'StoredTransferSyntaxUID', '1.2.840.10008.1.2.4.91');
    await messageFor(imageSetId, 'view', list[0][0], /^No preview for 1-bit pixel data$/);
    await messageFor(imageSetId, 'thumbnail', list[1][0], /^No preview for 32-bit pixel data$/);
    await messageFor(imageSetId, 'thumbnail', list[2][0], /^No preview for JPEG 2000 Image Compression$/);
    await report('the fourth instance still shows', (r): r is FramesReport => r.kind === 'rendered' && r.role === 'thumbnail' && r.sopInstanceUID === list[3][0]);
    moveCursor(editor, `/Study/Series/${seriesUid}/Instances/${list[3][0]}/DICOM/InstanceNumber`);
    await viewOf(imageSetId, list[3][0]);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });

  it('decodes JPEG baseline frames with the browser (an imported DICOM file)', async () => {
    dcmjs.log.setLevel('silent');
    const jpeg = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'test', 'fixtures', 'frames', 'knee-baseline.jpg'));
    const uid = '2.25.31415926535897932384626433832795028';
    const dict = new dcmjs.data.DicomDict(dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
      FileMetaInformationVersion: new Uint8Array([0, 1]).buffer, MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1',
      MediaStorageSOPInstanceUID: `${uid}.3`, TransferSyntaxUID: '1.2.840.10008.1.2.4.50', ImplementationClassUID: `${uid}.9`,
    }));
    dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
      SOPClassUID: '1.2.840.10008.5.1.4.1.1.1.1', SOPInstanceUID: `${uid}.3`, StudyInstanceUID: `${uid}.1`, SeriesInstanceUID: `${uid}.2`,
      PatientName: 'Synthetic^Jpeg', PatientID: 'SYN-JPEG', Modality: 'DX', InstanceNumber: '1', Rows: 192, Columns: 160, SamplesPerPixel: 3,
      PhotometricInterpretation: 'YBR_FULL_422', PlanarConfiguration: 0, BitsAllocated: 8, BitsStored: 8, HighBit: 7, PixelRepresentation: 0,
      PixelData: [jpeg.buffer.slice(jpeg.byteOffset, jpeg.byteOffset + jpeg.length)],
    });
    dict.dict['7FE00010'].vr = 'OB';
    const folder = path.join(env.dataDir, 's3', 'frames-input', 'jpeg');
    fs.mkdirSync(folder, { recursive: true });
    fs.writeFileSync(path.join(folder, 'knee.dcm'), Buffer.from(dict.write({ fragmentMultiframe: false })));
    const job = await env.client.send(new StartDICOMImportJobCommand({
      datastoreId, jobName: 'frames-jpeg', dataAccessRoleArn: 'arn:aws:iam::123456789012:role/ImportRole',
      inputS3Uri: 's3://frames-input/jpeg/', outputS3Uri: 's3://frames-output/jpeg/',
    }));
    await until('the import job', async () => (await env.client.send(new GetDICOMImportJobCommand({ datastoreId, jobId: job.jobId! }))).jobProperties?.jobStatus === 'COMPLETED');
    const found = await env.client.send(new SearchImageSetsCommand({ datastoreId, searchCriteria: { filters: [{ operator: 'EQUAL', values: [{ DICOMPatientId: 'SYN-JPEG' }] }] } }));
    const imageSetId = found.imageSetsMetadataSummaries![0].imageSetId!;
    const doc = await metadata(imageSetId);
    const [, instance] = instancesOf(doc, series(doc)[0][0])[0];
    assert.equal(instance.StoredTransferSyntaxUID, '1.2.840.10008.1.2.4.50');
    await showFrames(uriOf(imageSetId));
    const view = await viewOf(imageSetId, `${uid}.3`);
    assert.deepEqual([view.width, view.height], [160, 192]);
  });
});
