// The extension's view of AWS HealthImaging: one method per service operation it uses,
// named after the operation. The SDK implementation lives in sdkHealthImagingClient.ts;
// nothing outside src/aws imports the SDK. Errors are thrown as HealthImagingError (errors.ts).

export type ImageSetState = 'ACTIVE' | 'LOCKED' | 'DELETED';
export type ImageSetWorkflowStatus =
  | 'CREATED' | 'COPIED' | 'COPYING' | 'COPYING_WITH_READ_ONLY_ACCESS' | 'COPY_FAILED'
  | 'UPDATING' | 'UPDATING_FOR_STUDY_CONSISTENCY' | 'UPDATED' | 'UPDATE_FAILED'
  | 'DELETING' | 'DELETED' | 'IMPORTING' | 'IMPORTED' | 'IMPORT_FAILED';

export interface DatastoreSummary {
  datastoreId: string;
  datastoreName: string;
  datastoreStatus: string;
  datastoreArn?: string;
  createdAt?: Date;
  updatedAt?: Date;
}

export interface ImageSetSummary {
  imageSetId: string;
  version?: number;
  createdAt?: Date;
  updatedAt?: Date;
  isPrimary?: boolean;
  dicomTags?: {
    patientId?: string;
    patientName?: string;
    studyDescription?: string;
    studyDate?: string;
    studyTime?: string;
    studyInstanceUID?: string;
    studyId?: string;
    accessionNumber?: string;
    seriesInstanceUID?: string;
    seriesModality?: string;
    numberOfStudyRelatedSeries?: number;
    numberOfStudyRelatedInstances?: number;
  };
}

/** One version of an image set, as ListImageSetVersions lists it. */
export interface ImageSetVersion {
  imageSetId: string;
  versionId: string;
  imageSetState: ImageSetState;
  imageSetWorkflowStatus?: ImageSetWorkflowStatus;
  createdAt?: Date;
  updatedAt?: Date;
  message?: string;
  forced?: boolean;
  isPrimary?: boolean;
}

/** GetImageSet: a version plus where the image set lives. */
export interface ImageSetProperties extends ImageSetVersion {
  datastoreId: string;
  imageSetArn?: string;
}

/** The answer of UpdateImageSetMetadata: the new version, usually LOCKED / UPDATING. */
export interface UpdateResult {
  latestVersionId: string;
  imageSetState: ImageSetState;
  imageSetWorkflowStatus?: ImageSetWorkflowStatus;
  updatedAt?: Date;
  message?: string;
}

/** One side of a CopyImageSet answer (the source, or the destination: a new image set or a merge target). */
export interface CopyImageSetSide {
  imageSetId: string;
  latestVersionId: string;
  imageSetState?: ImageSetState;
  imageSetWorkflowStatus?: ImageSetWorkflowStatus;
  updatedAt?: Date;
}

export interface CopyResult {
  source: CopyImageSetSide;
  /** With promoteToPrimary and no destination given: the new primary image set (usually LOCKED / COPYING). */
  destination: CopyImageSetSide;
}

/** SearchImageSets criteria, as the service defines them (at most two filters). */
export type SearchValue =
  | { DICOMPatientId: string } | { DICOMAccessionNumber: string } | { DICOMStudyId: string }
  | { DICOMStudyInstanceUID: string } | { DICOMSeriesInstanceUID: string }
  | { createdAt: Date } | { updatedAt: Date } | { isPrimary: boolean }
  | { DICOMStudyDateAndTime: { DICOMStudyDate: string; DICOMStudyTime?: string } };
export interface SearchFilter { operator: 'EQUAL' | 'BETWEEN'; values: SearchValue[] }
export interface SearchCriteria {
  filters?: SearchFilter[];
  sort?: { sortField: 'updatedAt' | 'createdAt' | 'DICOMStudyDateAndTime'; sortOrder: 'ASC' | 'DESC' };
}

export interface Page<T> { items: T[]; nextToken?: string }

/** GetImageFrame: the frame's bytes as stored (for example HTJ2K, `image/jph`) and their content type. */
export interface ImageFrame {
  bytes: Uint8Array;
  contentType?: string;
}

export interface HealthImagingClient {
  listDatastores(nextToken?: string, maxResults?: number): Promise<Page<DatastoreSummary>>;
  searchImageSets(datastoreId: string, criteria: SearchCriteria, nextToken?: string, maxResults?: number): Promise<Page<ImageSetSummary>>;
  getImageSet(datastoreId: string, imageSetId: string, versionId?: string): Promise<ImageSetProperties>;
  /** The metadata document, gunzipped and parsed text (not reformatted). */
  getImageSetMetadata(datastoreId: string, imageSetId: string, versionId?: string): Promise<string>;
  listImageSetVersions(datastoreId: string, imageSetId: string, nextToken?: string, maxResults?: number): Promise<Page<ImageSetVersion>>;
  /** One frame (`imageFrameId` from the metadata's ImageFrames[].ID). */
  getImageFrame(datastoreId: string, imageSetId: string, imageFrameId: string): Promise<ImageFrame>;
  /** `updatableAttributes` / `removableAttributes` as JSON documents; the adapter encodes them. */
  updateImageSetMetadata(request: {
    datastoreId: string;
    imageSetId: string;
    latestVersionId: string;
    force?: boolean;
    /** Apply the change to every primary image set of the study, atomically (service model 2026-04). */
    includeStudyImageSets?: boolean;
    update: { updatableAttributes?: object; removableAttributes?: object } | { revertToVersionId: string };
  }): Promise<UpdateResult>;
  /** Copies a whole image set (version `sourceVersionId`) into a new image set, or into `destination`. */
  copyImageSet(request: {
    datastoreId: string;
    sourceImageSetId: string;
    sourceVersionId: string;
    destination?: { imageSetId: string; latestVersionId: string };
    promoteToPrimary?: boolean;
    force?: boolean;
  }): Promise<CopyResult>;
  /** Starts deleting an image set (usually LOCKED / DELETING, then DELETED). */
  deleteImageSet(datastoreId: string, imageSetId: string): Promise<{ imageSetState: ImageSetState; imageSetWorkflowStatus?: ImageSetWorkflowStatus }>;
}

/** The most items a listing asks for per page (the service's maximum). */
export const MAX_PAGE_SIZE = 50;

/** Every item of a paged listing: asks for the next page until there is no next token. */
export async function listAllPages<T>(fetchPage: (nextToken: string | undefined) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let token: string | undefined;
  do {
    const page = await fetchPage(token);
    all.push(...page.items);
    token = page.nextToken;
  } while (token);
  return all;
}

/** All data stores of the account and region, in the service's order. */
export function listAllDatastores(client: HealthImagingClient): Promise<DatastoreSummary[]> {
  return listAllPages((token) => client.listDatastores(token, MAX_PAGE_SIZE));
}

/** All versions of an image set, newest first. */
export async function listAllImageSetVersions(client: HealthImagingClient, datastoreId: string, imageSetId: string): Promise<ImageSetVersion[]> {
  const all = await listAllPages((token) => client.listImageSetVersions(datastoreId, imageSetId, token, MAX_PAGE_SIZE));
  return all.sort((a, b) => Number(b.versionId) - Number(a.versionId));
}
