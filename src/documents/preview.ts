// "HealthImaging: Preview Update" and "HealthImaging: Copy as AWS CLI Command": the exact
// request(s) Save would send for the editor's current text (saved or not), without sending them.
// The preview is a read-only JSON document (a content provider), refreshed while the user types.
import * as vscode from 'vscode';
import { primaryImageSetsPhrase, splitStudyLevelUpdates } from '../core/hierarchy';
import { computeMetadataUpdate, type MetadataUpdatePlan } from '../core/metadataUpdate';
import { readableLocation } from '../core/metadataLocation';
import { parseMetadataText } from '../core/metadataText';
import { Commands, SCHEME } from '../constants';
import { registerCommand } from '../shared/commands';
import type { Config } from '../shared/config';
import { listItems, plural, shortId } from '../shared/format';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import { buildUpdateCliCommands } from './cliCommand';
import type { MetadataBase, MetadataFileSystemProvider } from './metadataFileSystemProvider';
import { metadataUri, parseMetadataUri } from './metadataUri';
import { parseBase, type StudyReach } from './saveFlow';
import { buildUpdatePreview, type StudyWidePreview } from './updatePlanView';

export const PREVIEW_SCHEME = 'healthimaging-preview';

export interface PreviewDependencies {
  provider: Pick<MetadataFileSystemProvider, 'getBase' | 'readFile'>;
  config: Pick<Config, 'maxAttributeBytes' | 'profile' | 'region'>;
  prompts: Prompts;
  log: Logger;
  /** Whether a Study-level change would reach the whole study (includeStudyImageSets). */
  studyReach?: StudyReach;
}

interface Source {
  uri: vscode.Uri;
  document: vscode.TextDocument;
  base: MetadataBase;
}

export function previewUri(datastoreId: string, imageSetId: string): vscode.Uri {
  return vscode.Uri.from({ scheme: PREVIEW_SCHEME, path: `/${datastoreId}/${imageSetId}.update.json` });
}

export class UpdatePreview extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this._onDidChange.event;
  /** Preview text per preview URI, and the metadata document it shows. */
  private readonly contents = new Map<string, { text: string; source: vscode.Uri }>();
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly deps: PreviewDependencies) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(PREVIEW_SCHEME, this));
    this._register(registerCommand(Commands.previewUpdate, (uri?: vscode.Uri) => this.preview(uri), { log: deps.log }));
    this._register(registerCommand(Commands.copyUpdateAsCliCommand, (uri?: vscode.Uri) => this.copyAsCliCommand(uri), { log: deps.log }));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.sourceChanged(e.document)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === PREVIEW_SCHEME) {
        this.contents.delete(d.uri.toString());
      }
    }));
    this._register(new vscode.Disposable(() => this.timers.forEach((t) => clearTimeout(t))));
    if (deps.studyReach) {
      // the number of image sets a Study-level change reaches became known (or changed)
      this._register(deps.studyReach.onDidChange(() => {
        for (const entry of this.contents.values()) {
          const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === entry.source.toString());
          if (document) {
            this.sourceChanged(document);
          }
        }
      }));
    }
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString())?.text
      ?? '{\n  "summary": "Run \\"HealthImaging: Preview Update\\" on a metadata document to see what Save would send."\n}\n';
  }

  /** Opens (or refreshes) the preview of what Save would send; returns the preview document. */
  async preview(target?: vscode.Uri): Promise<vscode.TextDocument> {
    const source = await this.source(target);
    await this.deps.studyReach?.resolve(source.base);
    const { text } = this.render(source);
    const uri = previewUri(source.base.datastoreId, source.base.imageSetId);
    this.contents.set(uri.toString(), { text, source: source.uri });
    this._onDidChange.fire(uri);
    const document = await vscode.workspace.openTextDocument(uri);
    if (document.languageId !== 'json') {
      await vscode.languages.setTextDocumentLanguage(document, 'json');
    }
    await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true, preserveFocus: true });
    return document;
  }

  /** Copies the AWS CLI command(s) for the same requests; returns the copied text (or undefined). */
  async copyAsCliCommand(target?: vscode.Uri): Promise<string | undefined> {
    const source = await this.source(target);
    await this.deps.studyReach?.resolve(source.base);
    const { plan, studyWide, locate } = this.render(source);
    const name = `image set ${shortId(source.base.imageSetId)}`;
    if (plan.refused.length > 0) {
      throw new Error(`Nothing copied: HealthImaging would refuse ${plural(plan.refused.length, 'change')} to ${name}: ` +
        listItems(plan.refused.map((r) => `${locate(r.path)}: ${r.reason}`)));
    }
    if (plan.updates.length === 0) {
      void this.deps.prompts.showInformationMessage(`Nothing to copy: the editor of ${name} has no changes.`, {});
      return undefined;
    }
    const updates = studyWide ? [...studyWide.study, ...studyWide.rest] : plan.updates;
    const text = buildUpdateCliCommands({
      datastoreId: source.base.datastoreId, imageSetId: source.base.imageSetId, latestVersionId: source.base.versionId,
      force: plan.force, updates, studyWideRequests: studyWide?.study.length, profile: this.deps.config.profile, region: this.deps.config.region,
    });
    await vscode.env.clipboard.writeText(text);
    this.deps.log.info(`copied the CLI command for ${source.base.datastoreId}/${source.base.imageSetId} (${plural(updates.length, 'request')}, force=${plan.force}, study-wide=${studyWide?.study.length ?? 0})`);
    void this.deps.prompts.showInformationMessage(
      `Copied ${updates.length === 1 ? 'the AWS CLI command' : `${updates.length} AWS CLI commands`} for ${name}` +
        `${plan.force ? ' (with --force)' : ''}` +
        `${studyWide ? ` (the Study-level change with --include-study-image-sets: it reaches ${primaryImageSetsPhrase(studyWide.otherImageSets + 1)} of the study)` : ''}` +
        '. It contains the edited metadata values.', {});
    return text;
  }

  private render(source: Source): { text: string; plan: MetadataUpdatePlan; studyWide?: StudyWidePreview; locate: (pointer: string) => string } {
    const parsed = parseMetadataText(source.document.getText());
    if (parsed.problems.length > 0) {
      throw new Error(`The metadata of image set ${shortId(source.base.imageSetId)} is not valid JSON: ` +
        listItems(parsed.problems.map((p) => `line ${p.line}, column ${p.column}: ${p.message}`)));
    }
    const maxAttributeBytes = this.deps.config.maxAttributeBytes;
    const original = parseBase(source.base);
    const plan = computeMetadataUpdate(original, parsed.value, { maxAttributeBytes, isPrimary: source.base.isPrimary ?? false });
    const locate = (pointer: string) => readableLocation(pointer, parsed.value, original);
    const studyWide = this.studyWide(source.base, plan, maxAttributeBytes);
    const preview = buildUpdatePreview({
      datastoreId: source.base.datastoreId, imageSetId: source.base.imageSetId, baseVersionId: source.base.versionId,
      isPrimary: source.base.isPrimary, maxAttributeBytes, plan, studyWide, locate,
    });
    return { text: JSON.stringify(preview, null, 2) + '\n', plan, studyWide, locate };
  }

  /** The study-wide form of the save, when its Study-level change reaches other primary image sets. */
  private studyWide(base: MetadataBase, plan: MetadataUpdatePlan, maxAttributeBytes: number): StudyWidePreview | undefined {
    const reach = this.deps.studyReach?.cached(base);
    if (!reach || reach.others === 0 || plan.refused.length > 0) {
      return undefined;
    }
    const split = splitStudyLevelUpdates(plan.updates, maxAttributeBytes);
    return split.study.length === 0 ? undefined : {
      otherImageSets: reach.others, setting: reach.setting, study: split.study, rest: split.rest, attributes: split.attributes.map((a) => a.path),
    };
  }

  /** The metadata document to preview: the argument, else the active editor. */
  private async source(target?: vscode.Uri): Promise<Source> {
    let uri = target instanceof vscode.Uri ? target : vscode.window.activeTextEditor?.document.uri;
    if (uri?.scheme === PREVIEW_SCHEME) {
      uri = this.contents.get(uri.toString())?.source;
    }
    if (!uri || uri.scheme !== SCHEME) {
      throw new Error('Open the metadata of an image set (from the HealthImaging explorer) to preview its update.');
    }
    const parts = parseMetadataUri(uri);
    if (parts.versionId) {
      throw new Error(`Version ${parts.versionId} of image set ${shortId(parts.imageSetId)} is read-only: there is no update to preview.`);
    }
    const latestUri = metadataUri(parts.datastoreId, parts.imageSetId);
    const document = await vscode.workspace.openTextDocument(latestUri);
    let base = this.deps.provider.getBase(latestUri);
    if (!base) {
      await this.deps.provider.readFile(latestUri);
      base = this.deps.provider.getBase(latestUri);
    }
    if (!base) {
      throw new Error(`The metadata of image set ${shortId(parts.imageSetId)} could not be read.`);
    }
    return { uri: latestUri, document, base };
  }

  /** Keeps an open preview in step with its source while the user types. */
  private sourceChanged(document: vscode.TextDocument): void {
    if (document.uri.scheme !== SCHEME) {
      return;
    }
    const source = document.uri.toString();
    for (const [key, entry] of this.contents) {
      if (entry.source.toString() !== source) {
        continue;
      }
      clearTimeout(this.timers.get(key));
      this.timers.set(key, setTimeout(() => {
        this.timers.delete(key);
        const base = this.deps.provider.getBase(entry.source);
        if (!base || !this.contents.has(key)) {
          return;
        }
        try {
          this.contents.set(key, { text: this.render({ uri: entry.source, document, base }).text, source: entry.source });
        } catch (error) {
          this.contents.set(key, { text: JSON.stringify({ summary: (error as Error).message }, null, 2) + '\n', source: entry.source });
        }
        this._onDidChange.fire(vscode.Uri.parse(key));
      }, 500));
    }
  }
}
