// Both sides of the size limit of an attribute blob (updatableAttributes / removableAttributes):
// a blob of exactly the limit is one request, one byte more is split, or refused when it cannot
// be split; bytes are UTF-8 bytes of the JSON text, so multi-byte characters and escapes count
// as what they weigh on the wire. Every expected blob and byte count is written out here and
// measured with Buffer.byteLength, independently of core's own size arithmetic.
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { computeMetadataUpdate, type MetadataUpdate } from '../../../src/core/metadataUpdate';

type Obj = Record<string, unknown>;

const SERIES = '1.2.826.0.1.3680043.8.498.1.1';
const INSTANCE = '1.2.826.0.1.3680043.8.498.1.1.1';

function original(): Obj {
  return {
    SchemaVersion: '1.1', DatastoreID: 'd'.repeat(32), ImageSetID: 'e'.repeat(32),
    Patient: { DICOM: { PatientName: 'DOE^JANE', PatientID: 'MRN0001' } },
    Study: {
      DICOM: { StudyInstanceUID: '1.2.826.0.1.3680043.8.498.1', StudyDescription: 'CHEST' },
      Series: {
        [SERIES]: {
          DICOM: { SeriesInstanceUID: SERIES, Modality: 'CT' },
          Instances: {
            [INSTANCE]: {
              DICOM: { SOPInstanceUID: INSTANCE, InstanceNumber: '1' }, DICOMVRs: {},
              StoredTransferSyntaxUID: '1.2.840.10008.1.2.1', ChecksumType: 'DECOMPRESSED', ImageFrames: [],
            },
          },
        },
      },
    },
  };
}

const bytes = (v: unknown): number => Buffer.byteLength(JSON.stringify(v), 'utf8');

/** Where an attribute lives, and the blob that carries only it (as the service receives it). */
interface Place {
  name: string;
  /** A long-text element (LT) of that level. */
  key: string;
  dicom(doc: Obj): Obj;
  blob(key: string, value: unknown): Obj;
}

const PLACES: Place[] = [
  {
    name: 'Patient level',
    key: 'PatientComments',
    dicom: (doc) => (doc.Patient as Obj).DICOM as Obj,
    blob: (key, value) => ({ SchemaVersion: 1.1, Patient: { DICOM: { [key]: value } } }),
  },
  {
    name: 'instance level',
    key: 'ImageComments',
    dicom: (doc) => (((((doc.Study as Obj).Series as Obj)[SERIES] as Obj).Instances as Obj)[INSTANCE] as Obj).DICOM as Obj,
    blob: (key, value) => ({ SchemaVersion: 1.1, Study: { Series: { [SERIES]: { Instances: { [INSTANCE]: { DICOM: { [key]: value } } } } } } }),
  },
];

/** Characters of different UTF-8 / JSON weight: 1, 2, 3 and 4 bytes, and escaped ones (2 and 6 bytes). */
const UNITS = ['a', 'é', '山', '😀', '"', '\\', '\u0001'];

/**
 * A string of `unit` characters (padded with 'a') that makes `blobOf(value)` exactly `target`
 * bytes long. Checked here, so a wrong size can only come from the code under test.
 */
function valueFor(blobOf: (value: string) => unknown, unit: string, target: number): string {
  const empty = bytes(blobOf(''));
  const unitBytes = bytes(unit) - 2; // without the quotes
  const n = Math.floor((target - empty) / unitBytes);
  const value = unit.repeat(n) + 'a'.repeat(target - empty - n * unitBytes);
  assert.equal(bytes(blobOf(value)), target, 'the test built a blob of the intended size');
  return value;
}

function only(plan: { updates: MetadataUpdate[] }): MetadataUpdate {
  assert.equal(plan.updates.length, 1, `one request (got ${plan.updates.length})`);
  return plan.updates[0];
}

describe('size limit of an attribute blob, on both sides', () => {
  for (const limit of [300, 10_000, 30_000]) {
    for (const place of PLACES) {
      it(`limit ${limit}, ${place.name}: an update of exactly the limit is one request, one byte more is refused (1- to 6-byte characters)`, () => {
        const key = place.key;
        const blobOf = (v: string) => place.blob(key, v);
        for (const unit of UNITS) {
          const what = `${JSON.stringify(unit)} (${bytes(unit) - 2} bytes in JSON)`;
          for (const [target, fits] of [[limit, true], [limit + 1, false]] as const) {
            const value = valueFor(blobOf, unit, target);
            const doc = original();
            const edited = structuredClone(doc);
            place.dicom(edited)[key] = value;
            const plan = computeMetadataUpdate(doc, edited, { maxAttributeBytes: limit });
            if (fits) {
              assert.deepEqual(plan.refused, [], what);
              const request = only(plan);
              assert.deepEqual(request, { updatableAttributes: blobOf(value) }, what);
              assert.equal(bytes(request.updatableAttributes), limit, what);
            } else {
              assert.deepEqual(plan.updates, [], what);
              assert.equal(plan.refused.length, 1, `${what}: ${JSON.stringify(plan.refused)}`);
              assert.ok(plan.refused[0].path.endsWith(`/DICOM/${key}`), plan.refused[0].path);
              assert.ok(plan.refused[0].reason.includes(`takes ${limit + 1} bytes of updatableAttributes, over the limit of ${limit} bytes`), `${what}: ${plan.refused[0].reason}`);
            }
          }
        }
      });

      it(`limit ${limit}, ${place.name}: a removal of exactly the limit is one request, one byte more is refused (1- to 6-byte characters)`, () => {
        const key = place.key;
        const blobOf = (v: string) => place.blob(key, v);
        for (const unit of UNITS) {
          const what = `${JSON.stringify(unit)} (${bytes(unit) - 2} bytes in JSON)`;
          for (const [target, fits] of [[limit, true], [limit + 1, false]] as const) {
            const value = valueFor(blobOf, unit, target);
            const doc = original();
            place.dicom(doc)[key] = value;
            const edited = structuredClone(doc);
            delete place.dicom(edited)[key];
            const plan = computeMetadataUpdate(doc, edited, { maxAttributeBytes: limit });
            if (fits) {
              assert.deepEqual(plan.refused, [], what);
              const request = only(plan);
              assert.deepEqual(request, { removableAttributes: blobOf(value) }, what);
              assert.equal(bytes(request.removableAttributes), limit, what);
            } else {
              assert.deepEqual(plan.updates, [], what);
              assert.equal(plan.refused.length, 1, `${what}: ${JSON.stringify(plan.refused)}`);
              assert.ok(plan.refused[0].reason.includes(`takes ${limit + 1} bytes of removableAttributes, over the limit of ${limit} bytes`), `${what}: ${plan.refused[0].reason}`);
            }
          }
        }
      });
    }
  }

  for (const unit of ['a', 'é', '山', '😀', '"']) {
    it(`split packing (${JSON.stringify(unit)}): two changes that together make exactly the limit travel in one request; one byte more makes two`, () => {
      const limit = 2_000;
      // PatientComments takes part of the limit, EthnicGroup the rest: both in Patient.DICOM.
      const a = unit.repeat(150);
      const both = (b: string) => ({ SchemaVersion: 1.1, Patient: { DICOM: { PatientComments: a, EthnicGroup: b } } });
      for (const [target, requests] of [[limit, 1], [limit + 1, 2]] as const) {
        const b = valueFor(both, unit, target);
        const doc = original();
        const edited = structuredClone(doc);
        Object.assign((edited.Patient as Obj).DICOM as Obj, { PatientComments: a, EthnicGroup: b });
        const plan = computeMetadataUpdate(doc, edited, { maxAttributeBytes: limit });
        assert.deepEqual(plan.refused, []);
        assert.equal(plan.updates.length, requests, `${target} bytes in all: ${requests} request(s)`);
        if (requests === 1) {
          assert.deepEqual(plan.updates[0], { updatableAttributes: both(b) });
          assert.equal(bytes(plan.updates[0].updatableAttributes), limit);
        } else {
          const sent = plan.updates.map((u) => (u.updatableAttributes as { Patient: { DICOM: Obj } }).Patient.DICOM);
          assert.deepEqual(Object.assign({}, ...sent), { PatientComments: a, EthnicGroup: b });
          for (const u of plan.updates) assert.ok(bytes(u.updatableAttributes) <= limit);
        }
      }
    });
  }

  it('split packing fills each request up to and including the limit: three changes that fit in two requests only one way', () => {
    const limit = 1_000;
    const pair = (a: string, b: string) => ({ SchemaVersion: 1.1, Patient: { DICOM: { PatientComments: a, EthnicGroup: b } } });
    const alone = (key: string, v: string) => ({ SchemaVersion: 1.1, Patient: { DICOM: { [key]: v } } });
    const a = 'é'.repeat(200);
    const b = valueFor((v) => pair(a, v), '山', limit);
    const c = 'x'.repeat(600);
    // A and B together are exactly the limit; C fits with neither: two requests only when A and B share one.
    const extra = (key: string, v: string) => bytes(alone(key, v)) - bytes(alone(key, ''));
    assert.ok(bytes(alone('PatientComments', a)) + extra('PatientSex', c) > limit);
    assert.ok(bytes(alone('EthnicGroup', b)) + extra('PatientSex', c) > limit);
    const doc = original();
    const edited = structuredClone(doc);
    Object.assign((edited.Patient as Obj).DICOM as Obj, { PatientComments: a, EthnicGroup: b, PatientSex: c });
    const plan = computeMetadataUpdate(doc, edited, { maxAttributeBytes: limit });
    assert.deepEqual(plan.refused, []);
    assert.equal(plan.updates.length, 2, `requests of ${plan.updates.map((u) => bytes(u.updatableAttributes)).join(', ')} bytes`);
    assert.deepEqual(plan.updates.map((u) => bytes(u.updatableAttributes)).sort((x, y) => y - x)[0], limit);
    assert.ok(plan.updates.some((u) => isDeepStrictEqual(u.updatableAttributes, pair(a, b))), 'A and B share the full request');
  });

  it('the limit applies to updatableAttributes and removableAttributes separately: both exactly the limit share one request', () => {
    const limit = 600;
    const removed = (v: string) => ({ SchemaVersion: 1.1, Patient: { DICOM: { PatientComments: v } } });
    const updated = (v: string) => ({ SchemaVersion: 1.1, Study: { DICOM: { StudyDescription: v } } });
    const old = valueFor(removed, 'ü', limit);
    const now = valueFor(updated, '山', limit);
    const doc = original();
    ((doc.Patient as Obj).DICOM as Obj).PatientComments = old;
    const edited = structuredClone(doc);
    delete ((edited.Patient as Obj).DICOM as Obj).PatientComments;
    ((edited.Study as Obj).DICOM as Obj).StudyDescription = now;
    const plan = computeMetadataUpdate(doc, edited, { maxAttributeBytes: limit });
    assert.deepEqual(plan.refused, []);
    assert.deepEqual(only(plan), { updatableAttributes: updated(now), removableAttributes: removed(old) });
  });
});
