import assert from 'node:assert/strict';
import fc from 'fast-check';
import { defaultWindow, dicomNumber, framesOfImageSet, locateInImageSet, windowForRange, type PixelDescription } from '../../../src/core/imageFrames';
import { findJsonPointerRange, formatMetadata } from '../../../src/core/metadataText';
import { isHtj2k, transferSyntaxName } from '../../../src/core/transferSyntaxes';

type Json = Record<string, unknown>;

function instance(number: string | undefined, extra: Json = {}, frames = 1): Json {
  return {
    DICOM: { ...(number === undefined ? {} : { InstanceNumber: number }), Rows: 256, Columns: 256, BitsAllocated: 16, BitsStored: 12, PixelRepresentation: 0, SamplesPerPixel: 1, PhotometricInterpretation: 'MONOCHROME2', ...extra },
    DICOMVRs: {},
    StoredTransferSyntaxUID: '1.2.840.10008.1.2.4.202',
    ChecksumType: 'DECOMPRESSED',
    ImageFrames: Array.from({ length: frames }, (_, k) => ({
      ID: `${number ?? 'x'}${k}`.padStart(32, '0'),
      PixelDataChecksumFromBaseToFullResolution: [{ Width: 128, Height: 128, Checksum: 11 }, { Width: 256, Height: 256, Checksum: 22 + k }],
      MinPixelValue: 10, MaxPixelValue: 1010, FrameSizeInBytes: 100,
    })),
  };
}

function document(): Json {
  return {
    SchemaVersion: '1.1', DatastoreID: 'd'.repeat(32), ImageSetID: 'i'.repeat(32),
    Patient: { DICOM: { PatientName: 'Doe^Jane' } },
    Study: {
      DICOM: { StudyInstanceUID: '1.2' },
      Series: {
        '1.2.3': { DICOM: { SeriesNumber: '2 ', Modality: 'CT', SeriesDescription: 'Axial' }, Instances: { '1.2.3.2': instance('10'), '1.2.3.1': instance(' 2'), '1.2.3.3': instance(undefined), '1.2.3.4': instance('1') } },
        '1.2.4': { DICOM: { SeriesNumber: 1, Modality: 'CT', SeriesDescription: 'Scout' }, Instances: { '1.2.4.1': instance('1', { WindowCenter: ['40', '400'], WindowWidth: ['400 ', '1500'] }) } },
        '1.2.5': { DICOM: { Modality: 'SR' }, Instances: { '1.2.5.1': { DICOM: { InstanceNumber: '1' }, DICOMVRs: {} } } },
      },
    },
  };
}

describe('image frames of a metadata document', () => {
  it('lists series by Series Number and instances by Instance Number (numbers first, then document order)', () => {
    const series = framesOfImageSet(document());
    assert.deepEqual(series.map((s) => [s.seriesInstanceUID, s.seriesNumber, s.modality, s.description]),
      [['1.2.4', 1, 'CT', 'Scout'], ['1.2.3', 2, 'CT', 'Axial'], ['1.2.5', undefined, 'SR', undefined]]);
    assert.deepEqual(series[1].instances.map((i) => [i.sopInstanceUID, i.instanceNumber]), [['1.2.3.4', 1], ['1.2.3.1', 2], ['1.2.3.2', 10], ['1.2.3.3', undefined]]);
  });

  it('describes frames: ids, the full-resolution (widest) checksum, pixel range', () => {
    const [, axial] = framesOfImageSet(document());
    assert.deepEqual(axial.instances[0].frames, [{ id: '10'.padStart(32, '0'), checksum: 22, minPixelValue: 10, maxPixelValue: 1010 }]);
    assert.equal(axial.instances[0].checksumType, 'DECOMPRESSED');
  });

  it('reads the pixel attributes, numbers given as strings or arrays, and the first window', () => {
    const [scout] = framesOfImageSet(document());
    assert.deepEqual(scout.instances[0].pixels, {
      rows: 256, columns: 256, samplesPerPixel: 1, bitsAllocated: 16, bitsStored: 12, signed: false, photometric: 'MONOCHROME2',
      rescaleSlope: 1, rescaleIntercept: 0, window: { center: 40, width: 400 },
    });
    assert.equal(dicomNumber(' -1024 '), -1024);
    assert.equal(dicomNumber(['2.5', '3']), 2.5);
    assert.equal(dicomNumber(''), undefined);
    assert.equal(dicomNumber('abc'), undefined);
    assert.equal(dicomNumber(null), undefined);
  });

  it('decides how each instance can be shown', () => {
    const doc = document();
    const instances = (doc.Study as { Series: Record<string, { Instances: Record<string, Json> }> }).Series['1.2.3'].Instances;
    const preview = () => Object.fromEntries(framesOfImageSet(doc)[1].instances.map((i) => [i.sopInstanceUID, i.preview]));
    assert.deepEqual(preview()['1.2.3.1'], { decoder: 'htj2k' });
    (instances['1.2.3.1'].DICOM as Json).BitsAllocated = 1;
    (instances['1.2.3.2'].DICOM as Json).BitsAllocated = 32;
    instances['1.2.3.3'].StoredTransferSyntaxUID = '1.2.840.10008.1.2.4.50';
    instances['1.2.3.4'].StoredTransferSyntaxUID = '1.2.840.10008.1.2.4.90';
    assert.deepEqual(preview(), {
      '1.2.3.1': { message: 'No preview for 1-bit pixel data' },
      '1.2.3.2': { message: 'No preview for 32-bit pixel data' },
      '1.2.3.3': { decoder: 'jpeg' },
      '1.2.3.4': { message: 'No preview for JPEG 2000 Image Compression (Lossless Only)' },
    });
    delete instances['1.2.3.4'].StoredTransferSyntaxUID; // the service answers image/jph then
    instances['1.2.3.3'].StoredTransferSyntaxUID = '1.2.840.10008.1.2.4.203';
    (instances['1.2.3.2'].DICOM as Json).BitsAllocated = 16;
    (instances['1.2.3.2'].DICOM as Json).PhotometricInterpretation = 'PALETTE COLOR';
    instances['1.2.3.1'].StoredTransferSyntaxUID = '1.2.3.999';
    (instances['1.2.3.1'].DICOM as Json).BitsAllocated = 8;
    assert.deepEqual(preview(), {
      '1.2.3.1': { message: 'No preview for 1.2.3.999' },
      '1.2.3.2': { message: 'No preview for PALETTE COLOR images' },
      '1.2.3.3': { decoder: 'htj2k' },
      '1.2.3.4': { decoder: 'htj2k' },
    });
    assert.deepEqual(framesOfImageSet(doc)[2].instances[0].preview, { message: 'No image frames in this instance' });
  });

  it('takes keys such as __proto__ as data', () => {
    const doc = JSON.parse('{"Study":{"Series":{"__proto__":{"DICOM":{"Modality":"MR"},"Instances":{"constructor":' + JSON.stringify(instance('3')) + '}}}}}') as Json;
    const [s] = framesOfImageSet(doc);
    assert.equal(s.seriesInstanceUID, '__proto__');
    assert.deepEqual(s.instances.map((i) => [i.sopInstanceUID, i.instanceNumber]), [['constructor', 3]]);
    assert.deepEqual(framesOfImageSet({ Study: { Series: 'none' } }), []);
    assert.deepEqual(framesOfImageSet(null), []);
  });

  it('chooses the default window: WindowCenter/WindowWidth, else the frame\'s rescaled Min/MaxPixelValue', () => {
    const pixels: PixelDescription = { samplesPerPixel: 1, signed: true, photometric: 'MONOCHROME2', rescaleSlope: 1, rescaleIntercept: -1024, window: { center: 40, width: 400 } };
    assert.deepEqual(defaultWindow(pixels, { minPixelValue: 0, maxPixelValue: 100 }), { center: 40, width: 400 });
    const none = { ...pixels, window: undefined };
    // stored 0..2047 -> -1024..1023: black at -1024, white at 1023
    assert.deepEqual(defaultWindow(none, { minPixelValue: 0, maxPixelValue: 2047 }), { center: 0, width: 2048 });
    assert.deepEqual(defaultWindow({ ...none, rescaleSlope: -2, rescaleIntercept: 0 }, { minPixelValue: 0, maxPixelValue: 10 }), { center: -9.5, width: 21 });
    assert.equal(defaultWindow(none, { minPixelValue: 5 }), undefined);
    assert.deepEqual(windowForRange(7, 7), { center: 7.5, width: 1 });
    // a width below 1 in the metadata is not a window: the frame's range is used
    const [scout] = framesOfImageSet({ Study: { Series: { s: { DICOM: {}, Instances: { i: instance('1', { WindowCenter: '40', WindowWidth: '0' }) } } } } });
    assert.equal(scout.instances[0].pixels.window, undefined);
    assert.deepEqual(defaultWindow(scout.instances[0].pixels, scout.instances[0].frames[0]), { center: 510.5, width: 1001 });
  });

  it('names transfer syntaxes and knows HTJ2K', () => {
    assert.equal(transferSyntaxName('1.2.840.10008.1.2.4.202'), 'High-Throughput JPEG 2000 with RPCL Options Image Compression (Lossless Only)');
    assert.equal(transferSyntaxName('1.2.840.10008.1.2.5'), 'RLE Lossless');
    assert.equal(transferSyntaxName('constructor'), 'constructor');
    assert.deepEqual(['1.2.840.10008.1.2.4.201', '1.2.840.10008.1.2.4.202', '1.2.840.10008.1.2.4.203', '1.2.840.10008.1.2.4.90'].map(isHtj2k), [true, true, true, false]);
  });
});

/** The document with each instance on one line. */
function oneLinePerInstance(doc: Json): string {
  const copy = JSON.parse(JSON.stringify(doc)) as { Study: { Series: Record<string, { Instances: Record<string, unknown> }> } };
  const lines: string[] = [];
  for (const s of Object.values(copy.Study.Series)) {
    for (const sop of Object.keys(s.Instances)) {
      lines.push(JSON.stringify(s.Instances[sop]));
      s.Instances[sop] = `@@${lines.length - 1}@@`;
    }
  }
  return JSON.stringify(copy, null, 2).replace(/"@@(\d+)@@"/g, (_, k: string) => lines[Number(k)]);
}

describe('where the cursor is in an image set\'s document', () => {
  const doc = document();
  const layouts: [string, string][] = [
    ['expanded', formatMetadata(doc)],
    ['one line per instance', oneLinePerInstance(doc)],
    ['one line', JSON.stringify(doc)],
  ];

  for (const [name, text] of layouts) {
    it(`finds series, instance and frame from the text's structure (${name})`, () => {
      const at = (pointer: string, end = false) => {
        const range = findJsonPointerRange(text, pointer);
        assert.ok(range, pointer);
        return locateInImageSet(text, end ? range.offset + range.length - 1 : range.offset);
      };
      assert.equal(at('/Patient/DICOM/PatientName'), undefined);
      assert.equal(at('/Study/DICOM'), undefined);
      assert.deepEqual(at('/Study/Series/1.2.3'), { seriesInstanceUID: '1.2.3' }, 'on the series key');
      assert.deepEqual(at('/Study/Series/1.2.4/DICOM/Modality'), { seriesInstanceUID: '1.2.4' });
      assert.deepEqual(at('/Study/Series/1.2.3/Instances/1.2.3.2'), { seriesInstanceUID: '1.2.3', sopInstanceUID: '1.2.3.2' });
      assert.deepEqual(at('/Study/Series/1.2.3/Instances/1.2.3.3/DICOM/Rows', true), { seriesInstanceUID: '1.2.3', sopInstanceUID: '1.2.3.3' });
      assert.deepEqual(at('/Study/Series/1.2.3/Instances/1.2.3.1/ImageFrames/0/MinPixelValue'),
        { seriesInstanceUID: '1.2.3', sopInstanceUID: '1.2.3.1', frameIndex: 0 });
      assert.deepEqual(at('/Study/Series/1.2.5/Instances/1.2.5.1/DICOMVRs', true), { seriesInstanceUID: '1.2.5', sopInstanceUID: '1.2.5.1' });
      assert.equal(locateInImageSet(text, -1), undefined);
      assert.equal(locateInImageSet(text, text.length + 5), undefined);
    });
  }

  it('finds every instance from any offset inside it, in every layout (property)', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 }), fc.nat(), (seriesCount, perSeries, seed) => {
      const series: Json = {};
      for (let s = 0; s < seriesCount; s++) {
        const instances: Json = {};
        for (let i = 0; i < perSeries; i++) instances[`1.${s}.${i}`] = instance(String(i + 1), {}, 1 + ((seed + i) % 3));
        series[`1.${s}`] = { DICOM: { SeriesNumber: String(s) }, Instances: instances };
      }
      const d = { SchemaVersion: '1.1', Study: { DICOM: {}, Series: series } };
      for (const text of [formatMetadata(d), oneLinePerInstance(d), JSON.stringify(d)]) {
        const s = seed % seriesCount;
        const i = (seed >> 3) % perSeries;
        const range = findJsonPointerRange(text, `/Study/Series/1.${s}/Instances/1.${s}.${i}`)!;
        const offset = range.offset + ((seed >> 6) % range.length);
        const found = locateInImageSet(text, offset);
        assert.equal(found?.seriesInstanceUID, `1.${s}`);
        assert.equal(found?.sopInstanceUID, `1.${s}.${i}`);
      }
    }), { numRuns: 300 });
  });
});
