// The explorer's tree nodes. Each node knows how to render itself; ids are stable across
// refreshes so expansion state survives. `contextValue` carries `;`-separated capability tokens
// (see ContextValues) matched by regex in package.json `when` clauses.
import * as vscode from 'vscode';
import type { DatastoreSummary, ImageSetSummary, ImageSetVersion } from '../aws/healthImagingClient';
import { Commands, ContextValues } from '../constants';
import { metadataUri } from '../documents/metadataUri';
import { formatTime } from '../shared/format';

export type ExplorerNode = DatastoreNode | ImageSetNode | VersionNode | LoadMoreNode | ErrorNode | PlaceholderNode;

/** A DICOM date (YYYYMMDD) as YYYY-MM-DD; other text as it is. */
export function formatDicomDate(date: string | undefined): string | undefined {
  const m = date && /^(\d{4})(\d{2})(\d{2})$/.exec(date.trim());
  return m ? `${m[1]}-${m[2]}-${m[3]}` : date?.trim() || undefined;
}

function md(lines: (string | undefined)[]): vscode.MarkdownString {
  const text = lines.filter((l): l is string => !!l).join('  \n');
  return new vscode.MarkdownString(text);
}

function escapeMd(value: string): string {
  return value.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

export class DatastoreNode {
  readonly kind = 'datastore';
  constructor(readonly datastore: DatastoreSummary, readonly filterDescription?: string) {}

  get id(): string {
    return `datastore:${this.datastore.datastoreId}`;
  }

  toTreeItem(): vscode.TreeItem {
    const d = this.datastore;
    const item = new vscode.TreeItem(d.datastoreName || d.datastoreId, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('database');
    const status = d.datastoreStatus && d.datastoreStatus !== 'ACTIVE' ? d.datastoreStatus : undefined;
    item.description = [status, this.filterDescription ? `filtered: ${this.filterDescription}` : undefined].filter(Boolean).join(' · ') || undefined;
    item.tooltip = md([
      `**${escapeMd(d.datastoreName || d.datastoreId)}**`,
      `Data store id: \`${d.datastoreId}\``,
      d.datastoreArn ? `ARN: \`${d.datastoreArn}\`` : undefined,
      `Status: ${d.datastoreStatus}`,
      d.createdAt ? `Created: ${formatTime(d.createdAt)}` : undefined,
      d.updatedAt ? `Updated: ${formatTime(d.updatedAt)}` : undefined,
    ]);
    item.contextValue = ContextValues.datastore + (this.filterDescription ? ContextValues.datastoreFiltered : '');
    return item;
  }
}

/** What names an image set, from its search summary (no request needed): patient, study description, modality, study date. */
export function imageSetParts(summary: ImageSetSummary): { who: string; description?: string; modality?: string; date?: string } {
  const t = summary.dicomTags ?? {};
  return {
    who: t.patientName?.trim() || t.patientId?.trim() || summary.imageSetId,
    description: t.studyDescription?.trim() || undefined,
    modality: t.seriesModality?.trim() || undefined,
    date: formatDicomDate(t.studyDate),
  };
}

/** Label parts of an image set, from its search summary (no request needed). */
export function imageSetLabel(summary: ImageSetSummary): { label: string; description: string } {
  const { who, description, modality, date } = imageSetParts(summary);
  const what = [description, modality, date].filter(Boolean);
  return { label: what.length ? `${who} · ${what.join(' · ')}` : who, description: '' };
}

export class ImageSetNode {
  readonly kind = 'imageSet';
  constructor(
    readonly datastoreId: string,
    readonly summary: ImageSetSummary,
    readonly datastoreArn: string | undefined,
    /** State of the latest version when known (from its version list), e.g. LOCKED · UPDATING. */
    public latestState?: Pick<ImageSetVersion, 'versionId' | 'imageSetState' | 'imageSetWorkflowStatus'>,
  ) {}

  get imageSetId(): string {
    return this.summary.imageSetId;
  }

  get id(): string {
    return `imageSet:${this.datastoreId}/${this.summary.imageSetId}`;
  }

  get arn(): string | undefined {
    return this.datastoreArn ? `${this.datastoreArn}/imageset/${this.summary.imageSetId}` : undefined;
  }

  get uri(): vscode.Uri {
    return metadataUri(this.datastoreId, this.summary.imageSetId);
  }

  toTreeItem(): vscode.TreeItem {
    const s = this.summary;
    const t = s.dicomTags ?? {};
    const { label } = imageSetLabel(s);
    const item = new vscode.TreeItem(label, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = this.id;
    item.resourceUri = this.uri;
    const version = this.latestState?.versionId ?? (s.version !== undefined ? String(s.version) : undefined);
    const state = this.latestState
      ? this.latestState.imageSetState === 'ACTIVE'
        ? this.latestState.imageSetWorkflowStatus ?? 'ACTIVE'
        : [this.latestState.imageSetState, this.latestState.imageSetWorkflowStatus].filter(Boolean).join(' · ')
      : undefined;
    item.description = [version ? `v${version}` : undefined, state, s.isPrimary === false ? 'non-primary' : undefined]
      .filter(Boolean).join(' · ');
    item.iconPath = new vscode.ThemeIcon(this.latestState?.imageSetState === 'LOCKED' ? 'lock' : 'file-media');
    item.tooltip = md([
      `**${escapeMd(label)}**`,
      t.patientId ? `Patient ID: ${escapeMd(t.patientId)}` : undefined,
      t.accessionNumber ? `Accession number: ${escapeMd(t.accessionNumber)}` : undefined,
      t.studyInstanceUID ? `Study Instance UID: \`${t.studyInstanceUID}\`` : undefined,
      t.seriesInstanceUID ? `Series Instance UID: \`${t.seriesInstanceUID}\`` : undefined,
      t.numberOfStudyRelatedInstances !== undefined ? `Instances: ${t.numberOfStudyRelatedInstances}` : undefined,
      `Image set id: \`${s.imageSetId}\``,
      `Data store id: \`${this.datastoreId}\``,
      version ? `Version: ${version}${state ? ` (${state})` : ''}` : undefined,
      s.isPrimary !== undefined ? `Primary: ${s.isPrimary ? 'yes' : 'no'}` : undefined,
      s.createdAt ? `Created: ${formatTime(s.createdAt)}` : undefined,
      s.updatedAt ? `Updated: ${formatTime(s.updatedAt)}` : undefined,
    ]);
    item.contextValue = ContextValues.imageSet + (s.isPrimary === false ? 'nonPrimary;' : s.isPrimary ? 'primary;' : '');
    item.command = { command: Commands.openImageSet, title: 'Open Metadata', arguments: [this] };
    return item;
  }
}

export class VersionNode {
  readonly kind = 'version';
  constructor(readonly datastoreId: string, readonly version: ImageSetVersion, readonly isLatest: boolean) {}

  get imageSetId(): string {
    return this.version.imageSetId;
  }

  get versionId(): string {
    return this.version.versionId;
  }

  get id(): string {
    return `version:${this.datastoreId}/${this.version.imageSetId}/${this.version.versionId}`;
  }

  get uri(): vscode.Uri {
    return metadataUri(this.datastoreId, this.version.imageSetId, this.version.versionId);
  }

  toTreeItem(): vscode.TreeItem {
    const v = this.version;
    const item = new vscode.TreeItem(`Version ${v.versionId}`, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    const status = v.imageSetWorkflowStatus ?? v.imageSetState;
    item.description = [status, v.forced ? 'forced' : undefined, formatTime(v.updatedAt ?? v.createdAt)].filter(Boolean).join(' · ');
    const failed = /FAILED$/.test(v.imageSetWorkflowStatus ?? '');
    item.iconPath = new vscode.ThemeIcon(
      failed ? 'error' : v.imageSetState === 'LOCKED' ? 'sync' : this.isLatest ? 'git-commit' : 'history',
      failed ? new vscode.ThemeColor('list.errorForeground') : undefined);
    item.tooltip = md([
      `**Version ${v.versionId}**${this.isLatest ? ' (latest)' : ''}`,
      `State: ${v.imageSetState}${v.imageSetWorkflowStatus ? ` · ${v.imageSetWorkflowStatus}` : ''}`,
      v.forced ? 'Created with force' : undefined,
      v.updatedAt ? `Updated: ${formatTime(v.updatedAt)}` : undefined,
      v.createdAt ? `Image set created: ${formatTime(v.createdAt)}` : undefined,
      v.message ? `Message: ${escapeMd(v.message)}` : undefined,
    ]);
    item.contextValue = ContextValues.imageSetVersion
      + (this.isLatest ? ContextValues.latest : '')
      + (v.forced ? ContextValues.forced : '')
      + (failed ? ContextValues.failed : '');
    item.command = { command: Commands.openImageSetVersion, title: 'Open Version', arguments: [this] };
    return item;
  }
}

export class LoadMoreNode {
  readonly kind = 'loadMore';
  constructor(readonly parent: DatastoreNode | ImageSetNode, readonly loaded: number) {}

  get id(): string {
    return `loadMore:${this.parent.id}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Load more…', vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('ellipsis');
    item.description = `${this.loaded} shown`;
    item.contextValue = ContextValues.loadMore;
    item.command = { command: Commands.loadMore, title: 'Load More', arguments: [this] };
    return item;
  }
}

export class ErrorNode {
  readonly kind = 'error';
  /** parent undefined = the root. */
  constructor(readonly parent: DatastoreNode | ImageSetNode | undefined, readonly message: string, readonly code?: string) {}

  get id(): string {
    return `error:${this.parent?.id ?? 'root'}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.message, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('error', new vscode.ThemeColor('list.errorForeground'));
    item.description = 'click to retry';
    item.tooltip = md([escapeMd(this.message), '', 'Click to retry.']);
    item.contextValue = ContextValues.error;
    item.command = { command: Commands.retry, title: 'Retry', arguments: [this] };
    return item;
  }
}

export class PlaceholderNode {
  readonly kind = 'placeholder';
  constructor(readonly parent: DatastoreNode | ImageSetNode | undefined, readonly message: string) {}

  get id(): string {
    return `placeholder:${this.parent?.id ?? 'root'}`;
  }

  toTreeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.message, vscode.TreeItemCollapsibleState.None);
    item.id = this.id;
    item.iconPath = new vscode.ThemeIcon('info');
    item.contextValue = ContextValues.placeholder;
    return item;
  }
}
