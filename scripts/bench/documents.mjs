// Deterministic synthetic image-set metadata documents for the benchmark, shaped like the
// documents GetImageSetMetadata returns (keywords, padded DS/IS strings, multi-valued arrays,
// sequences, private tags with DICOMVRs, image frame descriptions). No real patient data.

function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const hex32 = (r) => Array.from({ length: 32 }, () => Math.floor(r() * 16).toString(16)).join('');

/** A document with `instances` instances spread over ten series. */
export function generateDocument(instances, seed = 42) {
  const r = rng(seed);
  const root = '1.2.826.0.1.3680043.8.498';
  const studyUid = `${root}.1`;
  const seriesCount = Math.min(10, instances);
  const series = {};
  let k = 0;
  for (let s = 0; s < seriesCount; s++) {
    const suid = `${studyUid}.${s + 1}`;
    const inst = {};
    const perSeries = Math.floor(instances / seriesCount) + (s < instances % seriesCount ? 1 : 0);
    for (let i = 0; i < perSeries; i++) {
      k++;
      const iuid = `${suid}.${i + 1}`;
      inst[iuid] = {
        DICOM: {
          SpecificCharacterSet: 'ISO_IR 192',
          ImageType: ['ORIGINAL', 'PRIMARY', 'AXIAL'],
          SOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
          SOPInstanceUID: iuid,
          MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.2',
          MediaStorageSOPInstanceUID: iuid,
          TransferSyntaxUID: '1.2.840.10008.1.2.1',
          FileMetaInformationVersion: 'AAE=',
          ImplementationClassUID: '1.2.826.0.1.3680043.8.498.1',
          AcquisitionDate: '20240101',
          ContentDate: '20240101',
          AcquisitionTime: '101500.000',
          ContentTime: `1015${String(i % 60).padStart(2, '0')}.000`,
          InstanceNumber: String(i + 1),
          ImagePositionPatient: ['-250.000', '-250.000', (i * 1.25).toFixed(3)],
          ImageOrientationPatient: ['1', '0', '0', '0', '1', '0'],
          SliceLocation: (i * 1.25).toFixed(3),
          SliceThickness: '1.250000 ',
          KVP: '120 ',
          SamplesPerPixel: 1,
          PhotometricInterpretation: 'MONOCHROME2',
          Rows: 512,
          Columns: 512,
          PixelSpacing: ['0.488281', '0.488281'],
          BitsAllocated: 16,
          BitsStored: 12,
          HighBit: 11,
          PixelRepresentation: 0,
          WindowCenter: '40',
          WindowWidth: '400',
          RescaleIntercept: '-1024',
          RescaleSlope: '1',
          ReferencedImageSequence: [{ ReferencedSOPClassUID: '1.2.840.10008.5.1.4.1.1.2', ReferencedSOPInstanceUID: `${suid}.1` }],
          '00091001': 'GE_GENESIS_DD',
          '00431028': null,
        },
        DICOMVRs: { '00091001': 'LO', '00431028': 'OB' },
        StoredTransferSyntaxUID: '1.2.840.10008.1.2.4.202',
        ChecksumType: 'DECOMPRESSED',
        ImageFrames: [{
          ID: hex32(r),
          PixelDataChecksumFromBaseToFullResolution: [
            { Width: 256, Height: 256, Checksum: Math.floor(r() * 4294967295) },
            { Width: 512, Height: 512, Checksum: Math.floor(r() * 4294967295) },
          ],
          MinPixelValue: 0,
          MaxPixelValue: 2000 + (k % 100),
          FrameSizeInBytes: 160000 + (k % 9000),
        }],
      };
    }
    series[suid] = {
      DICOM: {
        Modality: 'CT', SeriesInstanceUID: suid, SeriesNumber: `${s + 1} `, SeriesDescription: `AXIAL ${s + 1}`,
        SeriesDate: '20240101', SeriesTime: '101500', BodyPartExamined: 'CHEST', Manufacturer: 'SYNTHETIC',
        SoftwareVersions: ['3.1.62'], FrameOfReferenceUID: `${studyUid}.99`, PatientPosition: 'HFS',
      },
      Instances: inst,
    };
  }
  return {
    SchemaVersion: '1.1',
    DatastoreID: hex32(r),
    ImageSetID: hex32(r),
    Patient: { DICOM: {
      PatientName: 'SYNTHETIC^PATIENT', PatientID: 'SYN0001', PatientBirthDate: '19700101', PatientSex: 'O',
      OtherPatientIDsSequence: [{ PatientID: 'ALT-1', IssuerOfPatientID: 'SYN' }],
    } },
    Study: {
      DICOM: {
        StudyInstanceUID: studyUid, StudyID: 'S1', StudyDate: '20240101', StudyTime: '101500.000',
        AccessionNumber: 'A0001', StudyDescription: 'CT CHEST', ReferringPhysicianName: null,
      },
      Series: series,
    },
  };
}

/** A typical edit: the patient's name, the study description, a corrected instance number, a
 *  removed attribute and a private tag added with its VR. Mutates and returns `doc`. */
export function typicalEdit(doc) {
  doc.Patient.DICOM.PatientName = 'SYNTHETIC^PATIENT^B';
  doc.Study.DICOM.StudyDescription = 'CT CHEST WITH CONTRAST';
  delete doc.Study.DICOM.ReferringPhysicianName;
  const series = Object.values(doc.Study.Series);
  const last = series[series.length - 1];
  const instances = Object.values(last.Instances);
  const inst = instances[instances.length - 1];
  inst.DICOM.InstanceNumber = String(instances.length + 1);
  inst.DICOM['001910F9'] = '97';
  inst.DICOMVRs['001910F9'] = 'DS';
  return doc;
}
