// An oracle for the update rules that does not share their code: a table of hand-written cases,
// one or more per rule of the API reference (../shared/reference/healthimaging-api.md §4.2-4.3:
// the Developer Guide's "DICOM metadata constraints", the API reference's force list, the primary
// image set rules) and of the decisions docs/decisions.md and docs/save-algorithm.md record where the documentation is silent.
// Each row states its expected outcome: "allowed" (sent without force), "force" (sent only with
// force) or "refused" (never sent), and where. Every row runs through both entry points:
// computeMetadataUpdate on (document, edited document) and checkMetadataUpdate on the payload the
// row implies, which this file builds itself.
import assert from 'node:assert/strict';
import { checkMetadataUpdate, computeMetadataUpdate, type MetadataUpdate } from '../../../src/core/metadataUpdate';

type Obj = Record<string, unknown>;
type Outcome = 'allowed' | 'force' | 'refused';

const S1 = '1.2.840.99.1.1';
const S2 = '1.2.840.99.1.2';
const I1 = `${S1}.1`;
const I2 = `${S1}.2`;
const I3 = `${S2}.1`;
const INSTANCE = `/Study/Series/${S1}/Instances/${I1}`;
const FRAME = `${INSTANCE}/ImageFrames/0`;

function frame(id: string): Obj {
  return {
    ID: id.repeat(32), PixelDataChecksumFromBaseToFullResolution: [{ Width: 16, Height: 16, Checksum: 12345 }],
    MinPixelValue: 0, MaxPixelValue: 255, FrameSizeInBytes: 512,
  };
}

function instance(uid: string, frameId: string, dicom: Obj = {}, vrs: Obj = {}): Obj {
  return {
    DICOM: { SOPInstanceUID: uid, SOPClassUID: '1.2.840.10008.5.1.4.1.1.2', InstanceNumber: '1', ...dicom },
    DICOMVRs: vrs, StoredTransferSyntaxUID: '1.2.840.10008.1.2.1', ChecksumType: 'DECOMPRESSED', ImageFrames: [frame(frameId)],
  };
}

/** The document every row starts from. */
function base(): Obj {
  return {
    SchemaVersion: '1.1', DatastoreID: 'd'.repeat(32), ImageSetID: 'e'.repeat(32),
    Patient: { DICOM: {
      PatientName: 'DOE^JANE', PatientID: 'MRN0001', PatientBirthDate: '19700101', PatientSex: 'F', OtherPatientNames: 'ROE^JANE',
      OtherPatientIDsSequence: [{ PatientID: 'ALT-1', IssuerOfPatientID: 'HOSP' }],
    } },
    Study: {
      DICOM: { StudyInstanceUID: '1.2.840.99.1', StudyID: 'S1', StudyDescription: 'CHEST', StudyDate: '20240101', AccessionNumber: 'A1' },
      Series: {
        [S1]: {
          DICOM: { SeriesInstanceUID: S1, Modality: 'CT', SeriesDescription: 'AXIAL', SeriesNumber: '1', SoftwareVersions: ['1.0'] },
          Instances: {
            [I1]: instance(I1, 'a', {
              ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'], ImageComments: 'first', Rows: 16, Columns: 16, '00091001': 'GE',
              ReferencedImageSequence: [{ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID: I2 }],
            }, { '00091001': 'LO' }),
            [I2]: instance(I2, 'b'),
          },
        },
        [S2]: {
          DICOM: { SeriesInstanceUID: S2, Modality: 'SR', SeriesDescription: 'REPORT' },
          Instances: { [I3]: instance(I3, 'c') },
        },
      },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// How a row's change becomes an edited document and a payload (written here, not taken from core).

function segments(pointer: string): string[] {
  return pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}
function parentOf(doc: Obj, segs: string[]): Obj {
  let o: unknown = doc;
  for (const s of segs.slice(0, -1)) o = (o as Obj)[s];
  return o as Obj;
}
function valueAt(doc: Obj, pointer: string): unknown {
  const segs = segments(pointer);
  return parentOf(doc, segs)[segs[segs.length - 1]];
}
/** {"SchemaVersion":1.1} with `value` at `pointer` (array indexes become object keys, as a payload would carry them). */
function nest(pointer: string, value: unknown): Obj {
  const out: Obj = { SchemaVersion: 1.1 };
  const segs = segments(pointer);
  let o = out;
  for (const s of segs.slice(0, -1)) o = (o[s] ??= {}) as Obj;
  o[segs[segs.length - 1]] = value;
  return out;
}

type Change =
  /** Add or change the value at a pointer; the payload sends it in updatableAttributes. */
  | { set: string; value: unknown }
  /** Remove the attribute (or series / instance) at a pointer; the payload sends its value ({} for a series or instance) in removableAttributes. */
  | { remove: string }
  /** A change only a document can express (no payload), or one given with its payload. */
  | { edit: (doc: Obj) => void; payload?: MetadataUpdate }
  /** A payload only (nothing an edited document could produce). */
  | { payload: MetadataUpdate };

interface Row {
  /** The rule, as the reference states it, with its source. */
  rule: string;
  change: Change;
  expect: Outcome;
  /** JSON pointer of the change that needs force / is refused (default: the change's own pointer). */
  at?: string;
  primary?: boolean;
}

const whole = (pointer: string) => /^\/Study\/Series\/[^/]+(\/Instances\/[^/]+)?$/.test(pointer);

function editedFor(change: Change): Obj | undefined {
  const doc = base();
  if ('set' in change) {
    const segs = segments(change.set);
    parentOf(doc, segs)[segs[segs.length - 1]] = change.value;
  } else if ('remove' in change) {
    const segs = segments(change.remove);
    delete parentOf(doc, segs)[segs[segs.length - 1]];
  } else if ('edit' in change) {
    change.edit(doc);
  } else {
    return undefined;
  }
  return doc;
}

function payloadFor(change: Change): MetadataUpdate | undefined {
  if ('set' in change) return { updatableAttributes: nest(change.set, change.value) };
  if ('remove' in change) return { removableAttributes: nest(change.remove, whole(change.remove) ? {} : valueAt(base(), change.remove)) };
  return change.payload;
}

function pointerOf(row: Row): string {
  if (row.at) return row.at;
  if ('set' in row.change) return row.change.set;
  if ('remove' in row.change) return row.change.remove;
  throw new Error(`row "${row.rule}" needs "at"`);
}

// ---------------------------------------------------------------------------------------------
// The table.

const CLI = '[CLI-ex]';
const DG = '[DG-constraints]';
const PRIVATE_ADDED: Change = {
  edit: (d) => {
    const i = ((((d.Study as Obj).Series as Obj)[S1] as Obj).Instances as Obj)[I1] as Obj;
    (i.DICOM as Obj)['001910F9'] = '97';
    (i.DICOMVRs as Obj)['001910F9'] = 'DS';
  },
  payload: { updatableAttributes: { SchemaVersion: 1.1, Study: { Series: { [S1]: { Instances: { [I1]: { DICOM: { '001910F9': '97' }, DICOMVRs: { '001910F9': 'DS' } } } } } } } },
};

const ROWS: Row[] = [
  // Changes HealthImaging takes without force.
  { rule: `a Patient-level update (PatientName) ${CLI} ex. 1`, change: { set: '/Patient/DICOM/PatientName', value: 'MX^MX' }, expect: 'allowed' },
  { rule: 'a Study-level update (StudyDescription) [SDK-ex]', change: { set: '/Study/DICOM/StudyDescription', value: 'CT CHEST' }, expect: 'allowed' },
  { rule: `removing an attribute, key and value matching ${CLI} ex. 2`, change: { remove: '/Study/DICOM/StudyDescription' }, expect: 'allowed' },
  { rule: 'a Series-level update on a non-primary image set', change: { set: `/Study/Series/${S1}/DICOM/SeriesDescription`, value: 'CORONAL' }, expect: 'allowed' },
  { rule: 'an instance-level update', change: { set: `${INSTANCE}/DICOM/InstanceNumber`, value: '7' }, expect: 'allowed' },
  { rule: 'adding an element at its own level (StudyTime at Study level)', change: { set: '/Study/DICOM/StudyTime', value: '101500' }, expect: 'allowed' },
  { rule: 'an attribute set to null: an empty element (README)', change: { set: '/Patient/DICOM/PatientBirthDate', value: null }, expect: 'allowed' },

  // §4.3 (1) HealthImaging-generated attributes cannot be updated.
  { rule: `SchemaVersion is generated ${DG}`, change: { set: '/SchemaVersion', value: '1.2' }, expect: 'refused' },
  { rule: `DatastoreID is generated ${DG}`, change: { set: '/DatastoreID', value: 'f'.repeat(32) }, expect: 'refused' },
  { rule: `ImageSetID is generated ${DG}`, change: { set: '/ImageSetID', value: 'f'.repeat(32) }, expect: 'refused' },
  { rule: `Checksum is generated ${DG}`, change: { set: `${FRAME}/PixelDataChecksumFromBaseToFullResolution/0/Checksum`, value: 1 }, expect: 'refused', at: `${INSTANCE}/ImageFrames` },
  { rule: `Width is generated ${DG}`, change: { set: `${FRAME}/PixelDataChecksumFromBaseToFullResolution/0/Width`, value: 32 }, expect: 'refused', at: `${INSTANCE}/ImageFrames` },
  { rule: `Height is generated ${DG}`, change: { set: `${FRAME}/PixelDataChecksumFromBaseToFullResolution/0/Height`, value: 32 }, expect: 'refused', at: `${INSTANCE}/ImageFrames` },
  { rule: `MinPixelValue is generated ${DG}`, change: { set: `${FRAME}/MinPixelValue`, value: 1 }, expect: 'refused', at: `${INSTANCE}/ImageFrames` },
  { rule: `MaxPixelValue is generated ${DG}`, change: { set: `${FRAME}/MaxPixelValue`, value: 1 }, expect: 'refused', at: `${INSTANCE}/ImageFrames` },
  { rule: `FrameSizeInBytes is generated ${DG}`, change: { set: `${FRAME}/FrameSizeInBytes`, value: 1 }, expect: 'refused', at: `${INSTANCE}/ImageFrames` },
  { rule: 'StoredTransferSyntaxUID is generated (README: how the frames are stored)', change: { set: `${INSTANCE}/StoredTransferSyntaxUID`, value: '1.2.840.10008.1.2.4.202' }, expect: 'refused' },
  { rule: 'ChecksumType is generated (README)', change: { set: `${INSTANCE}/ChecksumType`, value: 'ORIGINAL' }, expect: 'refused' },

  // §4.3 (2) these DICOM attributes change only with force.
  { rule: `StudyInstanceUID needs force ${DG} [API-ref force]`, change: { set: '/Study/DICOM/StudyInstanceUID', value: '1.2.840.99.2' }, expect: 'force' },
  { rule: `StudyID needs force ${DG} [API-ref force]`, change: { set: '/Study/DICOM/StudyID', value: 'S2' }, expect: 'force' },
  { rule: `SeriesInstanceUID needs force ${DG} [API-ref force]`, change: { set: `/Study/Series/${S1}/DICOM/SeriesInstanceUID`, value: '1.2.840.99.1.9' }, expect: 'force' },
  { rule: `SOPInstanceUID needs force ${DG} [API-ref force] ${CLI} ex. 7`, change: { set: `${INSTANCE}/DICOM/SOPInstanceUID`, value: `${S1}.9` }, expect: 'force' },
  { rule: `PixelData needs force ${DG} (also listed as generated; the force rule is the specific one, README)`, change: { set: `${INSTANCE}/DICOM/PixelData`, value: 'AAAA' }, expect: 'force' },

  // §4.3 (3) sequences, (4) multi-valued attributes: only with force.
  { rule: `changing a sequence (SQ) needs force ${DG}`, change: { set: '/Patient/DICOM/OtherPatientIDsSequence', value: [{ PatientID: 'ALT-2', IssuerOfPatientID: 'HOSP' }] }, expect: 'force' },
  { rule: `removing a sequence (SQ) needs force ${DG}`, change: { remove: `${INSTANCE}/DICOM/ReferencedImageSequence` }, expect: 'force' },
  { rule: `changing a multi-valued attribute needs force ${DG}`, change: { set: `${INSTANCE}/DICOM/ImageType`, value: ['DERIVED', 'SECONDARY'] }, expect: 'force' },
  { rule: `a multi-valued Series-level attribute needs force ${DG}`, change: { set: `/Study/Series/${S1}/DICOM/SoftwareVersions`, value: ['1.0', '2.0'] }, expect: 'force' },
  { rule: `a single value made multi-valued needs force ${DG} (README: the new value is what is sent)`, change: { set: '/Patient/DICOM/OtherPatientNames', value: ['ROE^JANE', 'ROE^J'] }, expect: 'force' },
  { rule: `adding a multi-valued attribute needs force ${DG}`, change: { set: `${INSTANCE}/DICOM/ReferencedFrameNumber`, value: ['1', '2'] }, expect: 'force' },
  { rule: 'a value replaced by [], an empty multi-value, needs force (README)', change: { set: '/Patient/DICOM/OtherPatientNames', value: [] }, expect: 'force' },

  // §4.3 (5) values that do not fit the VR: only with force.
  { rule: `a date not in DA form (YYYYMMDD) needs force ${DG}`, change: { set: '/Study/DICOM/StudyDate', value: '2024-01-01' }, expect: 'force' },
  { rule: `a US value out of range needs force ${DG}`, change: { set: `${INSTANCE}/DICOM/Rows`, value: 70000 }, expect: 'force' },
  { rule: `a UI value with letters needs force ${DG}`, change: { set: `${INSTANCE}/DICOM/SOPClassUID`, value: 'not-a-uid' }, expect: 'force' },
  { rule: `a CS value in lower case needs force ${DG}`, change: { set: `/Study/Series/${S1}/DICOM/Modality`, value: 'ct' }, expect: 'force' },

  // §4.3 (6) attributes that are not DICOM attributes: only with force.
  { rule: `a key that is not a DICOM keyword needs force ${DG}`, change: { set: `${INSTANCE}/DICOM/ScannerNickname`, value: 'x' }, expect: 'force' },
  { rule: `a standard element keyed by its tag instead of its keyword needs force ${DG}`, change: { set: `${INSTANCE}/DICOM/00204000`, value: 'x' }, expect: 'force' },

  // §4.3 (7) an attribute given at another level ("across modules") is invalid: force cannot help.
  { rule: `a Patient-level element given at Study level ${DG}`, change: { set: '/Study/DICOM/PatientName', value: 'X' }, expect: 'refused' },
  { rule: `a Patient-level element given at instance level ${DG}`, change: { set: `${INSTANCE}/DICOM/PatientWeight`, value: '70' }, expect: 'refused' },
  { rule: `a Series-level element given at Patient level ${DG}`, change: { set: '/Patient/DICOM/Modality', value: 'MR' }, expect: 'refused' },

  // §4.3 (8) a module that does not exist in the document cannot be addressed.
  { rule: `a series that is not in the image set ${DG}`, change: { set: '/Study/Series/1.2.840.99.1.9', value: { DICOM: { Modality: 'MR' }, Instances: {} } }, expect: 'refused' },
  { rule: `an instance that is not in the series ${DG}`, change: { set: `/Study/Series/${S1}/Instances/${S1}.9`, value: { DICOM: { InstanceNumber: '9' } } }, expect: 'refused' },
  { rule: `a series key renamed instead of its SeriesInstanceUID (README) ${DG}`, change: { edit: (d) => { const s = (d.Study as Obj).Series as Obj; s['1.2.840.99.1.9'] = s[S2]; delete s[S2]; } }, expect: 'refused', at: '/Study/Series/1.2.840.99.1.9' },

  // §4.3 (9) and the API reference: private tags of an instance change only with force.
  { rule: `adding a private tag with its VR ${CLI} ex. 5 [API-ref force]`, change: PRIVATE_ADDED, expect: 'force', at: `${INSTANCE}/DICOM/001910F9` },
  { rule: `changing a private tag ${CLI} ex. 6 [API-ref force]`, change: { set: `${INSTANCE}/DICOM/00091001`, value: 'GE_GENESIS_DD' }, expect: 'force' },
  { rule: `removing a private tag [API-ref force] ${DG}`, change: { remove: `${INSTANCE}/DICOM/00091001` }, expect: 'force' },
  { rule: 'a private tag added without its VR in DICOMVRs (README; CLI ex. 5 sends it)', change: { set: `${INSTANCE}/DICOM/00291010`, value: 'x' }, expect: 'refused' },
  { rule: 'a DICOMVRs entry that is not a VR (README)', change: { set: `${INSTANCE}/DICOMVRs/00091001`, value: 'XX' }, expect: 'refused' },
  { rule: `a private tag added at Patient level (private elements belong to an instance, README) ${DG}`, change: { set: '/Patient/DICOM/00091001', value: 'x' }, expect: 'refused' },

  // Removing instances and series [CLI-ex ex. 3 and its 2026 commit: "needs --force"; a series by analogy, README].
  { rule: `removing an instance needs force ${CLI} ex. 3`, change: { remove: `/Study/Series/${S1}/Instances/${I2}` }, expect: 'force' },
  { rule: 'removing a series needs force (README)', change: { remove: `/Study/Series/${S2}` }, expect: 'force' },

  // Removal matches key and value [SDK-ex comment]; payloads only.
  { rule: 'removing an attribute with a value other than its current one [SDK-ex]', change: { payload: { removableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: 'HEAD' } } } } }, expect: 'refused', at: '/Study/DICOM/StudyDescription' },
  { rule: 'removing an attribute the document does not have', change: { payload: { removableAttributes: { SchemaVersion: 1.1, Study: { DICOM: { StudyComments: 'x' } } } } }, expect: 'refused', at: '/Study/DICOM/StudyComments' },
  { rule: 'a payload without SchemaVersion [CLI-ex: every payload starts with it]', change: { payload: { updatableAttributes: { Patient: { DICOM: { PatientName: 'X' } } } } }, expect: 'refused', at: '/SchemaVersion' },

  // UIDs stay unique [DG-copy: SOP Instance UIDs unique within an image set; README for series].
  { rule: 'a SOPInstanceUID already used by another instance', change: { set: `${INSTANCE}/DICOM/SOPInstanceUID`, value: I3 }, expect: 'refused' },
  { rule: 'a SeriesInstanceUID already used by another series', change: { set: `/Study/Series/${S2}/DICOM/SeriesInstanceUID`, value: S1 }, expect: 'refused' },

  // Primary image sets [DG-update]: Patient- and Series-level elements cannot be updated; force is not
  // available (what needs it is refused); Study- and instance-level changes that need no force are fine.
  { rule: 'primary: a Patient-level update', primary: true, change: { set: '/Patient/DICOM/PatientName', value: 'MX^MX' }, expect: 'refused' },
  { rule: 'primary: a Series-level update', primary: true, change: { set: `/Study/Series/${S1}/DICOM/SeriesDescription`, value: 'CORONAL' }, expect: 'refused' },
  { rule: 'primary: a Study-level update', primary: true, change: { set: '/Study/DICOM/StudyDescription', value: 'CT CHEST' }, expect: 'allowed' },
  { rule: 'primary: an instance-level update', primary: true, change: { set: `${INSTANCE}/DICOM/InstanceNumber`, value: '7' }, expect: 'allowed' },
  { rule: 'primary: removing a Study-level attribute', primary: true, change: { remove: '/Study/DICOM/StudyDescription' }, expect: 'allowed' },
  { rule: 'primary: StudyInstanceUID (needs force, which primary image sets do not have)', primary: true, change: { set: '/Study/DICOM/StudyInstanceUID', value: '1.2.840.99.2' }, expect: 'refused' },
  { rule: 'primary: SOPInstanceUID', primary: true, change: { set: `${INSTANCE}/DICOM/SOPInstanceUID`, value: `${S1}.9` }, expect: 'refused' },
  { rule: 'primary: a private tag of an instance', primary: true, change: { set: `${INSTANCE}/DICOM/00091001`, value: 'GE_GENESIS_DD' }, expect: 'refused' },
  { rule: 'primary: a multi-valued instance attribute', primary: true, change: { set: `${INSTANCE}/DICOM/ImageType`, value: ['DERIVED'] }, expect: 'refused' },
  { rule: 'primary: removing an instance', primary: true, change: { remove: `/Study/Series/${S1}/Instances/${I2}` }, expect: 'refused' },
];

// ---------------------------------------------------------------------------------------------

function judge(outcome: Outcome, at: string, result: { forceReasons: { path: string }[]; refused: { path: string }[] }, what: string): void {
  const paths = (rs: { path: string }[]) => rs.map((r) => r.path);
  if (outcome === 'allowed') {
    assert.deepEqual(result.refused, [], `${what}: refused`);
    assert.deepEqual(result.forceReasons, [], `${what}: needs force`);
  } else if (outcome === 'force') {
    assert.deepEqual(result.refused, [], `${what}: refused`);
    assert.ok(paths(result.forceReasons).includes(at), `${what}: force expected at ${at}, got ${JSON.stringify(paths(result.forceReasons))}`);
  } else {
    assert.ok(paths(result.refused).includes(at), `${what}: refusal expected at ${at}, got ${JSON.stringify(result.refused)}`);
  }
}

describe('update rules, against a hand-written table of the reference\'s rules', () => {
  it('has rows for every outcome, for primary image sets, and for both entry points', () => {
    for (const outcome of ['allowed', 'force', 'refused'] as const) {
      assert.ok(ROWS.filter((r) => r.expect === outcome && !r.primary).length >= 5, outcome);
      assert.ok(ROWS.some((r) => r.expect === outcome && r.primary) || outcome === 'force', `primary ${outcome}`);
    }
    assert.ok(ROWS.filter((r) => editedFor(r.change) && payloadFor(r.change)).length > 50);
  });

  for (const row of ROWS) {
    it(`${row.expect}: ${row.rule}`, () => {
      const at = pointerOf(row);
      const options = { isPrimary: row.primary === true };
      const edited = editedFor(row.change);
      if (edited) {
        const plan = computeMetadataUpdate(base(), edited, options);
        judge(row.expect, at, plan, 'computeMetadataUpdate');
        assert.equal(plan.force, row.expect === 'force', 'computeMetadataUpdate: force flag');
        assert.equal(plan.updates.length > 0, row.expect !== 'refused', 'computeMetadataUpdate: requests only when nothing is refused');
      }
      const payload = payloadFor(row.change);
      if (payload) judge(row.expect, at, checkMetadataUpdate(base(), payload, options), 'checkMetadataUpdate');
      assert.ok(edited || payload, 'the row runs somewhere');
    });
  }
});
