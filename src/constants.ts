// Every identifier the extension shares with its manifest (package.json): commands, views,
// settings, context keys and the URI scheme. Keep both in step.

export const EXTENSION_ID = 'healthimaging-tools.healthimaging-metadata-editor';
export const SCHEME = 'healthimaging';
export const OUTPUT_CHANNEL_NAME = 'HealthImaging';

export const Views = {
  container: 'healthImaging',
  explorer: 'healthImaging.explorer',
} as const;

export const Commands = {
  refresh: 'healthImaging.refresh',
  filterImageSets: 'healthImaging.filterImageSets',
  clearFilter: 'healthImaging.clearFilter',
  loadMore: 'healthImaging.loadMore',
  retry: 'healthImaging.retry',
  openImageSet: 'healthImaging.openImageSet',
  openImageSetVersion: 'healthImaging.openImageSetVersion',
  copyId: 'healthImaging.copyId',
  copyArn: 'healthImaging.copyArn',
  selectProfile: 'healthImaging.selectProfile',
  selectRegion: 'healthImaging.selectRegion',
  showLog: 'healthImaging.showLog',
  openSettings: 'healthImaging.openSettings',
  previewUpdate: 'healthImaging.previewUpdate',
  copyUpdateAsCliCommand: 'healthImaging.copyUpdateAsCliCommand',
  revertImageSet: 'healthImaging.revertImageSet',
  compareWithPreviousVersion: 'healthImaging.compareWithPreviousVersion',
  showFrames: 'healthImaging.showFrames',
  compareWithPrimary: 'healthImaging.compareWithPrimary',
  promoteToPrimary: 'healthImaging.promoteToPrimary',
  deleteImageSet: 'healthImaging.deleteImageSet',
  showStudyImageSets: 'healthImaging.showStudyImageSets',
  goToSeriesOrInstance: 'healthImaging.goToSeriesOrInstance',
} as const;

/** Setting keys below the `healthImaging` section. */
export const SETTINGS_SECTION = 'healthImaging';
export const Settings = {
  profile: 'profile',
  region: 'region',
  endpoint: 'endpoint',
  pageSize: 'pageSize',
  maxAttributeBytes: 'maxAttributeBytes',
  confirmForceUpdate: 'confirmForceUpdate',
  studyWideUpdates: 'studyWideUpdates',
  documentLayout: 'documentLayout',
} as const;

export const ContextKeys = {
  /** true once a client could be configured (credentials source and region known). */
  configured: 'healthImaging.configured',
  /** 'unknown' | 'ready' | 'noRegion' | 'noCredentials': drives the welcome view. */
  connectionState: 'healthImaging.connectionState',
  /** true while the explorer shows a search filter. */
  filterActive: 'healthImaging.filterActive',
  /** true while the active editor shows the metadata of a non-primary image set. */
  nonPrimaryEditor: 'healthImaging.nonPrimaryEditor',
} as const;

/** `contextValue` tokens of tree items; match them with regex in `when` clauses, e.g. `viewItem =~ /imageSet;/`. */
export const ContextValues = {
  datastore: 'datastore;',
  datastoreFiltered: 'filtered;',
  imageSet: 'imageSet;',
  imageSetVersion: 'imageSetVersion;',
  latest: 'latest;',
  forced: 'forced;',
  failed: 'failed;',
  loadMore: 'loadMore;',
  error: 'error;',
  placeholder: 'placeholder;',
} as const;
