// Which level of the image-set metadata document each DICOM element belongs to.
//
// Source: AWS HealthImaging Developer Guide, "Metadata normalization" (tags as listed there, page order;
// keywords from the DICOM data dictionary shipped with dcmjs). Every element that is not listed here,
// including the file meta information (group 0002) and all private elements, stays at instance level.

export type MetadataLevel = 'Patient' | 'Study' | 'Series' | 'Instance';

/** Tags (8 upper-case hex digits) per level, as listed by the service's normalization page. */
export const LEVEL_TAGS: Readonly<Record<'patient' | 'study' | 'series', readonly string[]>> = {
  patient: [
    '00100010', // PatientName
    '00100020', // PatientID
    '00100021', // IssuerOfPatientID
    '00100024', // IssuerOfPatientIDQualifiersSequence
    '00100022', // TypeOfPatientID
    '00100030', // PatientBirthDate
    '00100033', // PatientBirthDateInAlternativeCalendar
    '00100034', // PatientDeathDateInAlternativeCalendar
    '00100035', // PatientAlternativeCalendar
    '00100040', // PatientSex
    '00101100', // ReferencedPatientPhotoSequence
    '00100200', // QualityControlSubject
    '00081120', // ReferencedPatientSequence
    '00100032', // PatientBirthTime
    '00101002', // OtherPatientIDsSequence
    '00101001', // OtherPatientNames
    '00102160', // EthnicGroup
    '00104000', // PatientComments
    '00102201', // PatientSpeciesDescription
    '00102202', // PatientSpeciesCodeSequence
    '00102292', // PatientBreedDescription
    '00102293', // PatientBreedCodeSequence
    '00102294', // BreedRegistrationSequence
    '00100212', // StrainDescription
    '00100213', // StrainNomenclature
    '00100219', // StrainCodeSequence
    '00100218', // StrainAdditionalInformation
    '00100216', // StrainStockSequence
    '00100221', // GeneticModificationsSequence
    '00102297', // ResponsiblePerson
    '00102298', // ResponsiblePersonRole
    '00102299', // ResponsibleOrganization
    '00120062', // PatientIdentityRemoved
    '00120063', // DeidentificationMethod
    '00120064', // DeidentificationMethodCodeSequence
    '00100026', // SourcePatientGroupIdentificationSequence
    '00100027', // GroupOfPatientsIdentificationSequence
    '00120010', // ClinicalTrialSponsorName
    '00120020', // ClinicalTrialProtocolID
    '00120021', // ClinicalTrialProtocolName
    '00120030', // ClinicalTrialSiteID
    '00120031', // ClinicalTrialSiteName
    '00120040', // ClinicalTrialSubjectID
    '00120042', // ClinicalTrialSubjectReadingID
    '00120081', // ClinicalTrialProtocolEthicsCommitteeName
    '00120082', // ClinicalTrialProtocolEthicsCommitteeApprovalNumber
  ],
  study: [
    '0020000D', // StudyInstanceUID
    '00080020', // StudyDate
    '00080030', // StudyTime
    '00080090', // ReferringPhysicianName
    '00080096', // ReferringPhysicianIdentificationSequence
    '0008009C', // ConsultingPhysicianName
    '0008009D', // ConsultingPhysicianIdentificationSequence
    '00200010', // StudyID
    '00080050', // AccessionNumber
    '00080051', // IssuerOfAccessionNumberSequence
    '00081030', // StudyDescription
    '00081048', // PhysiciansOfRecord
    '00081049', // PhysiciansOfRecordIdentificationSequence
    '00081060', // NameOfPhysiciansReadingStudy
    '00081062', // PhysiciansReadingStudyIdentificationSequence
    '00321033', // RequestingService
    '00321034', // RequestingServiceCodeSequence
    '00081110', // ReferencedStudySequence
    '00081032', // ProcedureCodeSequence
    '00401012', // ReasonForPerformedProcedureCodeSequence
    '00081080', // AdmittingDiagnosesDescription
    '00081084', // AdmittingDiagnosesCodeSequence
    '00101010', // PatientAge
    '00101020', // PatientSize
    '00101030', // PatientWeight
    '00101022', // PatientBodyMassIndex
    '00101023', // MeasuredAPDimension
    '00101024', // MeasuredLateralDimension
    '00101021', // PatientSizeCodeSequence
    '00102000', // MedicalAlerts
    '00102110', // Allergies
    '001021A0', // SmokingStatus
    '001021C0', // PregnancyStatus
    '001021D0', // LastMenstrualDate
    '00380500', // PatientState
    '00102180', // Occupation
    '001021B0', // AdditionalPatientHistory
    '00380010', // AdmissionID
    '00380014', // IssuerOfAdmissionIDSequence
    '00321066', // ReasonForVisit
    '00321067', // ReasonForVisitCodeSequence
    '00380060', // ServiceEpisodeID
    '00380064', // IssuerOfServiceEpisodeIDSequence
    '00380062', // ServiceEpisodeDescription
    '00102203', // PatientSexNeutered
    '00120050', // ClinicalTrialTimePointID
    '00120051', // ClinicalTrialTimePointDescription
    '00120052', // LongitudinalTemporalOffsetFromEvent
    '00120053', // LongitudinalTemporalEventType
    '00120083', // ConsentForClinicalTrialUseSequence
  ],
  series: [
    '00080060', // Modality
    '0020000E', // SeriesInstanceUID
    '00200011', // SeriesNumber
    '00200060', // Laterality
    '00080021', // SeriesDate
    '00080031', // SeriesTime
    '00081050', // PerformingPhysicianName
    '00081052', // PerformingPhysicianIdentificationSequence
    '00181030', // ProtocolName
    '0008103E', // SeriesDescription
    '0008103F', // SeriesDescriptionCodeSequence
    '00081070', // OperatorsName
    '00081072', // OperatorIdentificationSequence
    '00081111', // ReferencedPerformedProcedureStepSequence
    '00081250', // RelatedSeriesSequence
    '00180015', // BodyPartExamined
    '00185100', // PatientPosition
    '00280108', // SmallestPixelValueInSeries
    '00280109', // LargestPixelValueInSeries
    '00400275', // RequestAttributesSequence
    '00102210', // AnatomicalOrientationType
    '300A0700', // TreatmentSessionUID
    '00120060', // ClinicalTrialCoordinatingCenterName
    '00120071', // ClinicalTrialSeriesID
    '00120072', // ClinicalTrialSeriesDescription
    '00080070', // Manufacturer
    '00080080', // InstitutionName
    '00080081', // InstitutionAddress
    '00081010', // StationName
    '00081040', // InstitutionalDepartmentName
    '00081041', // InstitutionalDepartmentTypeCodeSequence
    '00081090', // ManufacturerModelName
    '0018100B', // ManufacturerDeviceClassUID
    '00181000', // DeviceSerialNumber
    '00181020', // SoftwareVersions
    '00181008', // GantryID
    '0018100A', // UDISequence
    '00181002', // DeviceUID
    '00181050', // SpatialResolution
    '00181200', // DateOfLastCalibration
    '00181201', // TimeOfLastCalibration
    '00280120', // PixelPaddingValue
    '00200052', // FrameOfReferenceUID
    '00201040', // PositionReferenceIndicator
  ],
};

const levelByTag: ReadonlyMap<string, MetadataLevel> = new Map<string, MetadataLevel>([
  ...LEVEL_TAGS.patient.map((t): [string, MetadataLevel] => [t, 'Patient']),
  ...LEVEL_TAGS.study.map((t): [string, MetadataLevel] => [t, 'Study']),
  ...LEVEL_TAGS.series.map((t): [string, MetadataLevel] => [t, 'Series']),
]);

/** The level a top-level element of an instance belongs to; `tag` is 8 hex digits (any case). */
export function levelOfTag(tag: string): MetadataLevel {
  return levelByTag.get(tag.toUpperCase()) ?? 'Instance';
}
