// The hierarchy feature: HealthImaging's primary and non-primary image sets across a study. It owns
// the study look-ups, the study-wide save (handed to the save flow), Compare with Primary, Promote to
// Primary…, Delete Image Set…, the context key of non-primary editors, and how far a Study-level change
// would reach (for diagnostics and the preview).
import * as vscode from 'vscode';
import type { HealthImagingClient } from '../aws/healthImagingClient';
import { ContextKeys, SCHEME, Settings } from '../constants';
import { studyInstanceUidOf } from '../core/hierarchy';
import type { MetadataBase, MetadataFileSystemProvider } from '../documents/metadataFileSystemProvider';
import { parseBase, type StudyReach } from '../documents/saveFlow';
import type { ExplorerTreeDataProvider } from '../explorer/explorer';
import type { Config } from '../shared/config';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import { CompareWithPrimary } from './compareWithPrimary';
import { DeleteImageSetCommand } from './deleteImageSet';
import { PromoteCommand } from './promote';
import { StudyMates } from './studyMates';
import { StudyWideSave } from './studyWideSave';

export interface HierarchyDependencies {
  getClient(): HealthImagingClient;
  provider: Pick<MetadataFileSystemProvider, 'refresh' | 'getBase'>;
  explorer: Pick<ExplorerTreeDataProvider, 'refreshImageSet' | 'refreshDatastore'>;
  prompts: Prompts;
  config: Config;
  log: Logger;
  /** Fires when the connection (profile, region, endpoint) changed: what is known about studies is forgotten. */
  onDidChangeConnection: vscode.Event<void>;
}

export class Hierarchy extends Disposable implements StudyReach {
  readonly mates: StudyMates;
  readonly studyWide: StudyWideSave;
  private readonly _onDidChangeImageSet = this._register(new vscode.EventEmitter<{ datastoreId: string; imageSetId: string }>());
  readonly onDidChange: vscode.Event<void>;

  constructor(private readonly deps: HierarchyDependencies) {
    super();
    const { getClient, prompts, log } = deps;
    this.mates = this._register(new StudyMates({ getClient, log }));
    this.onDidChange = this.mates.onDidChange;
    this.studyWide = new StudyWideSave({
      getClient, mates: this.mates, prompts, config: deps.config, log, provider: deps.provider,
      onDidUpdate: (datastoreId, imageSetId) => this.imageSetChanged(datastoreId, imageSetId),
    });
    this._register(new CompareWithPrimary({ getClient, mates: this.mates, prompts, log, onDidUpdateImageSet: this._onDidChangeImageSet.event }));
    this._register(new PromoteCommand({ getClient, mates: this.mates, prompts, log, onDidCreateImageSet: (d) => deps.explorer.refreshDatastore(d) }));
    this._register(new DeleteImageSetCommand({ getClient, mates: this.mates, prompts, log, onDidDeleteImageSet: (d) => deps.explorer.refreshDatastore(d) }));
    this._register(deps.config.onDidChange([Settings.studyWideUpdates], () => this.mates.invalidate()));
    this._register(deps.onDidChangeConnection(() => this.mates.invalidate()));
    this._register(vscode.window.onDidChangeActiveTextEditor(() => this.updateContext()));
    this._register(this._onDidChangeImageSet.event(() => this.updateContext()));
    this.updateContext();
  }

  /** An image set got a new version (a save, a study-wide update, a revert): the tree and the comparisons follow. */
  imageSetChanged(datastoreId: string, imageSetId: string): void {
    void this.deps.explorer.refreshImageSet(datastoreId, imageSetId);
    this._onDidChangeImageSet.fire({ datastoreId, imageSetId });
  }

  cached(base: MetadataBase): { others: number; setting: 'ask' | 'always' } | undefined {
    const study = this.studyOf(base);
    const others = study && this.mates.cachedOtherPrimaries(base.datastoreId, study.uid, base.imageSetId);
    return study && others !== undefined ? { others, setting: study.setting } : undefined;
  }

  async resolve(base: MetadataBase): Promise<{ others: number; setting: 'ask' | 'always' } | undefined> {
    const study = this.studyOf(base);
    if (!study) {
      return undefined;
    }
    try {
      return { others: await this.mates.otherPrimaries(base.datastoreId, study.uid, base.imageSetId), setting: study.setting };
    } catch {
      return undefined; // the preview still shows the save for this image set alone
    }
  }

  /** The study of a primary image set whose Study-level changes may be study-wide (per the setting). */
  private studyOf(base: MetadataBase): { uid: string; setting: 'ask' | 'always' } | undefined {
    const setting = this.deps.config.studyWideUpdates;
    if (base.isPrimary !== true || setting === 'never') {
      return undefined;
    }
    const uid = studyInstanceUidOf(parseBase(base));
    return uid ? { uid, setting } : undefined;
  }

  private updateContext(): void {
    const uri = vscode.window.activeTextEditor?.document.uri;
    const base = uri?.scheme === SCHEME && !uri.query ? this.deps.provider.getBase(uri) : undefined;
    void vscode.commands.executeCommand('setContext', ContextKeys.nonPrimaryEditor, base?.isPrimary === false);
  }
}
