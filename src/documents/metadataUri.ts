// URIs of metadata documents: `healthimaging:/<datastoreId>/<imageSetId>.json` for the latest
// version (editable), `...json?version=N` for an older version (read-only). The `.json` suffix
// gives the editor JSON language mode for free.
import * as vscode from 'vscode';
import { SCHEME } from '../constants';

const ID = /^[0-9a-z]{32}$/;
const VERSION = /^\d+$/;

export interface MetadataUriParts {
  datastoreId: string;
  imageSetId: string;
  versionId?: string;
}

export function metadataUri(datastoreId: string, imageSetId: string, versionId?: string): vscode.Uri {
  return vscode.Uri.from({
    scheme: SCHEME,
    path: `/${datastoreId}/${imageSetId}.json`,
    query: versionId !== undefined ? `version=${versionId}` : '',
  });
}

/** Parses a metadata URI; throws FileSystemError.FileNotFound naming what is wrong. */
export function parseMetadataUri(uri: vscode.Uri): MetadataUriParts {
  const fail = (why: string): never => {
    throw vscode.FileSystemError.FileNotFound(`${uri.toString()} is not a HealthImaging metadata document: ${why}`);
  };
  if (uri.scheme !== SCHEME) {
    fail(`the scheme must be "${SCHEME}:"`);
  }
  const m = /^\/([^/]+)\/([^/]+)\.json$/.exec(uri.path);
  if (!m) {
    fail('expected the path /<datastoreId>/<imageSetId>.json');
  }
  const [, datastoreId, imageSetId] = m as RegExpExecArray;
  if (!ID.test(datastoreId)) {
    fail(`data store id "${datastoreId}" must be 32 characters of 0-9 and a-z`);
  }
  if (!ID.test(imageSetId)) {
    fail(`image set id "${imageSetId}" must be 32 characters of 0-9 and a-z`);
  }
  let versionId: string | undefined;
  if (uri.query) {
    const params = new URLSearchParams(uri.query);
    const v = params.get('version');
    if (v !== null) {
      if (!VERSION.test(v)) {
        fail(`version "${v}" must be a number`);
      }
      versionId = v;
    }
  }
  return { datastoreId, imageSetId, versionId };
}

/** The key under which the latest-version document of an image set is tracked. */
export function latestKey(parts: MetadataUriParts): string {
  return metadataUri(parts.datastoreId, parts.imageSetId).toString();
}
