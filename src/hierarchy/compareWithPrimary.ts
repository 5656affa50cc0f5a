// "HealthImaging: Compare with Primary": VS Code's diff of a non-primary image set against the primary
// image set of its study that holds the same series (else the study's most recently updated one).
// What keeps an image set non-primary is in its Patient, Study and Series levels, so both sides are
// shown as those levels only (core's hierarchyLevelsView: instances become a count), which keeps the
// diff small and to the point even for image sets of thousands of instances. The documents are
// read-only (a content provider) and follow the image sets' new versions.
import * as vscode from 'vscode';
import type { HealthImagingClient, ImageSetSummary } from '../aws/healthImagingClient';
import { Commands } from '../constants';
import { hierarchyLevelsView, seriesUidsOf, studyInstanceUidOf } from '../core/hierarchy';
import { pickImageSet, targetImageSet, type ImageSetTarget } from '../explorer/imageSetPicker';
import { registerCommand } from '../shared/commands';
import { shortId } from '../shared/format';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import { studyName, type StudyMates } from './studyMates';

export const LEVELS_SCHEME = 'healthimaging-levels';
const TITLE = 'HealthImaging: Compare with Primary';

/** The levels document of an image set; `seriesOf`: keep only the series that image set holds. */
export function levelsUri(datastoreId: string, imageSetId: string, seriesOf?: string): vscode.Uri {
  return vscode.Uri.from({ scheme: LEVELS_SCHEME, path: `/${datastoreId}/${imageSetId}.levels.json`, query: seriesOf ? `seriesOf=${seriesOf}` : '' });
}

function parseLevelsUri(uri: vscode.Uri): { datastoreId: string; imageSetId: string; seriesOf?: string } {
  const m = /^\/([0-9a-z]{32})\/([0-9a-z]{32})\.levels\.json$/.exec(uri.path);
  const seriesOf = new URLSearchParams(uri.query).get('seriesOf') ?? undefined;
  if (!m || (seriesOf !== undefined && !/^[0-9a-z]{32}$/.test(seriesOf))) {
    throw new Error(`${uri.toString()} is not a HealthImaging levels document.`);
  }
  return { datastoreId: m[1], imageSetId: m[2], seriesOf };
}

export interface CompareDependencies {
  getClient(): HealthImagingClient;
  mates: Pick<StudyMates, 'primaries'>;
  prompts: Prompts;
  log: Logger;
  /** Fires when an image set got a new version (a save, a study-wide update, a revert). */
  onDidUpdateImageSet: vscode.Event<{ datastoreId: string; imageSetId: string }>;
}

export interface CompareResult {
  left: vscode.Uri;
  right: vscode.Uri;
  primaryImageSetId: string;
  /** True when that primary image set holds a series of the non-primary one. */
  sameSeries: boolean;
}

export class CompareWithPrimary extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly _onDidChange = this._register(new vscode.EventEmitter<vscode.Uri>());
  readonly onDidChange = this._onDidChange.event;

  constructor(private readonly deps: CompareDependencies) {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(LEVELS_SCHEME, this));
    this._register(registerCommand(Commands.compareWithPrimary, (arg?: unknown) => this.run(arg), { log: deps.log, prompts: deps.prompts }));
    this._register(deps.onDidUpdateImageSet((e) => {
      for (const document of vscode.workspace.textDocuments) {
        if (document.uri.scheme !== LEVELS_SCHEME) {
          continue;
        }
        const parts = parseLevelsUri(document.uri);
        if (parts.datastoreId === e.datastoreId && (parts.imageSetId === e.imageSetId || parts.seriesOf === e.imageSetId)) {
          this._onDidChange.fire(document.uri);
        }
      }
    }));
  }

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const { datastoreId, imageSetId, seriesOf } = parseLevelsUri(uri);
    const client = this.deps.getClient();
    const document = JSON.parse(await client.getImageSetMetadata(datastoreId, imageSetId)) as unknown;
    const series = seriesOf ? new Set(seriesUidsOf(JSON.parse(await client.getImageSetMetadata(datastoreId, seriesOf)))) : undefined;
    return JSON.stringify(hierarchyLevelsView(document, series), null, 2) + '\n';
  }

  /** The whole command; resolves to the two documents compared, or undefined when there is nothing to compare. */
  async run(arg?: unknown): Promise<CompareResult | undefined> {
    const client = this.deps.getClient();
    const target = await targetImageSet(arg, () => pickNonPrimary(client, this.deps.prompts, TITLE));
    const { datastoreId, imageSetId } = target;
    const name = `image set ${shortId(imageSetId)}`;
    const properties = await client.getImageSet(datastoreId, imageSetId);
    if (properties.isPrimary !== false) {
      void this.deps.prompts.showInformationMessage(`${name} is primary: it is part of its study's primary data, so there is nothing to compare. ` +
        'Compare with Primary is for non-primary image sets.', {});
      return undefined;
    }
    const document = JSON.parse(await client.getImageSetMetadata(datastoreId, imageSetId)) as unknown;
    const studyUid = studyInstanceUidOf(document);
    const primaries = studyUid ? await this.deps.mates.primaries(datastoreId, studyUid) : [];
    if (primaries.length === 0) {
      void this.deps.prompts.showInformationMessage(`No primary image set of ${studyName(document)} exists in this data store, so nothing conflicts ` +
        `with ${name}: Promote to Primary… makes it the study's primary data.`, {});
      return undefined;
    }
    const holding = await this.holdingSameSeries(client, datastoreId, seriesUidsOf(document), primaries);
    const primary = holding ?? primaries[0];
    const left = levelsUri(datastoreId, imageSetId);
    const right = levelsUri(datastoreId, primary.imageSetId, imageSetId);
    this.deps.log.info(`compare ${datastoreId}/${imageSetId} (non-primary) with ${primary.imageSetId} (primary${holding ? ', same series' : ''}; ${primaries.length} in the study)`);
    await vscode.commands.executeCommand('vscode.diff', left, right,
      `${shortId(imageSetId)} (non-primary) ↔ ${shortId(primary.imageSetId)} (primary)`, { preview: true });
    if (!holding) {
      void this.deps.prompts.showInformationMessage(`No primary image set holds the series of ${name}: compared with image set ` +
        `${shortId(primary.imageSetId)}, the most recently updated of the ${primaries.length} primary image sets of ${studyName(document)} (Patient and Study levels).`, {});
    }
    return { left, right, primaryImageSetId: primary.imageSetId, sameSeries: holding !== undefined };
  }

  /** The primary image set of the study that holds one of these series, if any. */
  private async holdingSameSeries(client: HealthImagingClient, datastoreId: string, series: string[], primaries: ImageSetSummary[]): Promise<ImageSetSummary | undefined> {
    const inStudy = new Map(primaries.map((p) => [p.imageSetId, p]));
    for (const uid of series) {
      const page = await client.searchImageSets(datastoreId, {
        filters: [{ operator: 'EQUAL', values: [{ DICOMSeriesInstanceUID: uid }] }, { operator: 'EQUAL', values: [{ isPrimary: true }] }],
      }, undefined, 50);
      const found = page.items.find((s) => inStudy.has(s.imageSetId));
      if (found) {
        return inStudy.get(found.imageSetId);
      }
    }
    return undefined;
  }
}

/** From the palette: a non-primary image set of a data store. */
export function pickNonPrimary(client: HealthImagingClient, prompts: Prompts, title: string): Promise<ImageSetTarget> {
  return pickImageSet(client, prompts, {
    title,
    placeHolder: 'Non-primary image set (most recently updated first)',
    filters: [{ operator: 'EQUAL', values: [{ isPrimary: false }] }],
    noneMessage: 'There is no non-primary image set in this data store: every image set is part of its study\'s primary data.',
  });
}
