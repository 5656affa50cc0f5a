import assert from 'node:assert/strict';
import { framesOfImageSet } from '../../../src/core/imageFrames';
import { packModel, unpackModel, type FramesModel } from '../../../src/frames/protocol';

describe('frames: the model on its way to the page', () => {
  it('sends each distinct pixel description once and unpacks to the same model', () => {
    const instances: Record<string, unknown> = {};
    for (let i = 0; i < 500; i++) {
      instances[`1.2.${i}`] = {
        DICOM: { InstanceNumber: String(i + 1), Rows: 256, Columns: 256, BitsAllocated: 16, BitsStored: 12, PixelRepresentation: 0, WindowCenter: i < 250 ? '40' : '300', WindowWidth: '400' },
        StoredTransferSyntaxUID: '1.2.840.10008.1.2.4.202', ChecksumType: 'DECOMPRESSED',
        ImageFrames: [{ ID: String(i).padStart(32, '0'), PixelDataChecksumFromBaseToFullResolution: [{ Width: 256, Height: 256, Checksum: i }], MinPixelValue: 0, MaxPixelValue: 4095 }],
      };
    }
    const model: FramesModel = { imageSetId: 'i'.repeat(32), series: framesOfImageSet({ Study: { Series: { '1.2': { DICOM: { SeriesNumber: '1' }, Instances: instances }, '1.3': { DICOM: {}, Instances: {} } } } }) };
    const packed = packModel(model);
    assert.equal(packed.shared.length, 2, 'two windows: two descriptions');
    assert.deepEqual(unpackModel(JSON.parse(JSON.stringify(packed))), JSON.parse(JSON.stringify(model)));
    const ratio = JSON.stringify(packed).length / JSON.stringify(model).length;
    assert.ok(ratio < 0.6, `packed to ${(ratio * 100).toFixed(0)}%`);
  });
});
