// Which image set a palette command acts on when it has no argument and no metadata editor is
// active: pick a data store (when there are several), then an image set (most recently updated first).
import * as vscode from 'vscode';
import { listAllDatastores, MAX_PAGE_SIZE, type HealthImagingClient, type SearchCriteria } from '../aws/healthImagingClient';
import { SCHEME } from '../constants';
import { parseMetadataUri } from '../documents/metadataUri';
import { CancellationError } from '../shared/commands';
import type { Prompts } from '../shared/prompts';
import { imageSetLabel, type ExplorerNode } from './nodes';

/** At most this many search pages (50 each) are offered. */
const MAX_PAGES = 10;

export interface ImageSetTarget {
  datastoreId: string;
  imageSetId: string;
}

export interface PickOptions {
  title: string;
  /** The quick pick's placeholder for the image set. */
  placeHolder: string;
  /** Which image sets to offer (default: all), e.g. only non-primary ones. */
  filters?: SearchCriteria['filters'];
  /** Said when no image set matches. */
  noneMessage?: string;
}

/** Asks for a data store (when there are several active ones) and an image set in it. */
export async function pickImageSet(client: HealthImagingClient, prompts: Prompts, options: PickOptions): Promise<ImageSetTarget> {
  const active = (await listAllDatastores(client)).filter((d) => d.datastoreStatus === 'ACTIVE');
  if (active.length === 0) {
    throw new Error('There is no active data store in this account and region.');
  }
  let datastoreId = active[0].datastoreId;
  if (active.length > 1) {
    const picked = await prompts.showQuickPick(
      active.map((d) => ({ label: d.datastoreName || d.datastoreId, description: d.datastoreId, datastoreId: d.datastoreId })),
      { title: options.title, placeHolder: 'Data store of the image set' });
    if (!picked) {
      throw new CancellationError();
    }
    datastoreId = picked.datastoreId;
  }
  const loadImageSets = async () => {
    const items: (vscode.QuickPickItem & { imageSetId: string })[] = [];
    let next: string | undefined;
    let pages = 0;
    do {
      const page = await client.searchImageSets(datastoreId, { filters: options.filters, sort: { sortField: 'updatedAt', sortOrder: 'DESC' } }, next, MAX_PAGE_SIZE);
      for (const summary of page.items) {
        items.push({
          label: imageSetLabel(summary).label,
          description: [summary.version !== undefined ? `v${summary.version}` : undefined, summary.isPrimary === false ? 'non-primary' : undefined]
            .filter(Boolean).join(' · ') || undefined,
          detail: summary.imageSetId,
          imageSetId: summary.imageSetId,
        });
      }
      next = page.nextToken;
    } while (next && ++pages < MAX_PAGES);
    if (items.length === 0) {
      throw new Error(options.noneMessage ?? 'There is no image set in this data store.');
    }
    return items;
  };
  const picked = await prompts.showQuickPick(loadImageSets(), {
    title: options.title, placeHolder: options.placeHolder, matchOnDescription: true, matchOnDetail: true,
  });
  if (!picked) {
    throw new CancellationError();
  }
  return { datastoreId, imageSetId: picked.imageSetId };
}

/**
 * The image set a command acts on: a tree node, a metadata URI (or any `{ datastoreId, imageSetId }`
 * given by a link or another extension, checked like input), the active metadata editor, or else `pick()`.
 */
export async function targetImageSet(arg: unknown, pick: () => Promise<ImageSetTarget>): Promise<ImageSetTarget> {
  if (arg instanceof vscode.Uri) {
    const parts = parseMetadataUri(arg);
    return { datastoreId: parts.datastoreId, imageSetId: parts.imageSetId };
  }
  const node = arg as Partial<ExplorerNode> | undefined;
  if (node && typeof node === 'object' && (node.kind === 'imageSet' || node.kind === 'version')) {
    return { datastoreId: node.datastoreId as string, imageSetId: node.imageSetId as string };
  }
  if (arg !== undefined && arg !== null) {
    const given = arg as { datastoreId?: unknown; imageSetId?: unknown };
    const id = /^[0-9a-z]{32}$/;
    if (typeof given === 'object' && typeof given.datastoreId === 'string' && typeof given.imageSetId === 'string'
      && id.test(given.datastoreId) && id.test(given.imageSetId)) {
      return { datastoreId: given.datastoreId, imageSetId: given.imageSetId };
    }
    throw new Error('This command acts on an image set: choose one in the HealthImaging explorer, or open its metadata.');
  }
  const active = vscode.window.activeTextEditor?.document.uri;
  if (active?.scheme === SCHEME) {
    const parts = parseMetadataUri(active);
    return { datastoreId: parts.datastoreId, imageSetId: parts.imageSetId };
  }
  return pick();
}
