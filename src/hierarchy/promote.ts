// "HealthImaging: Promote to Primary…": CopyImageSet with promoteToPrimary. HealthImaging copies the
// non-primary image set into a new primary image set (a new id); the original stays until it is
// deleted. Confirmed in a modal however the command is invoked. When HealthImaging refuses, or the copy
// ends COPY_FAILED, the message lists the attributes that still differ from the study's primary data
// (computed here from the documents: the service's message format is not documented) and offers
// Compare with Primary. On success the new image set shows in the tree and opens, and deleting the
// original is offered.
import * as vscode from 'vscode';
import { HealthImagingError } from '../aws/errors';
import type { HealthImagingClient } from '../aws/healthImagingClient';
import { Commands } from '../constants';
import { describeHierarchyConflicts, findHierarchyConflicts, studyInstanceUidOf, type HierarchyConflict } from '../core/hierarchy';
import { metadataUri } from '../documents/metadataUri';
import { followUpdate, UpdateFailedError, type FollowOptions } from '../documents/updateFollower';
import { targetImageSet } from '../explorer/imageSetPicker';
import { CancellationError, registerCommand } from '../shared/commands';
import { plural, shortId } from '../shared/format';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import { pickNonPrimary } from './compareWithPrimary';
import { studyName, type StudyMates } from './studyMates';

export const PROMOTE = 'Promote';
export const COMPARE_WITH_PRIMARY = 'Compare with Primary';
export const DELETE_ORIGINAL = 'Delete Non-Primary Original…';
const TITLE = 'HealthImaging: Promote to Primary…';
/** Primary image sets read to name the conflicts of a refused promotion (each may be large). */
const MAX_PRIMARIES_READ = 10;

export interface PromoteDependencies {
  getClient(): HealthImagingClient;
  mates: Pick<StudyMates, 'primaries' | 'invalidate'>;
  prompts: Prompts;
  log: Logger;
  /** A data store's image sets changed (the tree lists them again). */
  onDidCreateImageSet(datastoreId: string): void;
  follow?: Omit<FollowOptions, 'log'>;
}

export type PromoteResult =
  | { outcome: 'promoted'; datastoreId: string; sourceImageSetId: string; imageSetId: string }
  | { outcome: 'refused' | 'failed'; datastoreId: string; sourceImageSetId: string; conflicts: HierarchyConflict[]; message: string; imageSetId?: string };

export class PromoteCommand extends Disposable {
  constructor(private readonly deps: PromoteDependencies) {
    super();
    this._register(registerCommand(Commands.promoteToPrimary, (arg?: unknown) => this.run(arg), { log: deps.log, prompts: deps.prompts }));
  }

  /** The whole command; resolves to what happened (tests read it), undefined when there was nothing to do. */
  async run(arg?: unknown): Promise<PromoteResult | undefined> {
    const client = this.deps.getClient();
    const { datastoreId, imageSetId } = await targetImageSet(arg, () => pickNonPrimary(client, this.deps.prompts, TITLE));
    const where = `${datastoreId}/${imageSetId}`;
    const name = `image set ${shortId(imageSetId)}`;

    const properties = await client.getImageSet(datastoreId, imageSetId);
    if (properties.imageSetState === 'DELETED') {
      throw new Error(`${name} was deleted: there is nothing to promote.`);
    }
    if (properties.isPrimary !== false) {
      void this.deps.prompts.showInformationMessage(`${name} is already primary: there is nothing to promote.`, {});
      return undefined;
    }
    if (properties.imageSetState === 'LOCKED') {
      throw new Error(`Cannot promote ${name} now: version ${properties.versionId} is ${properties.imageSetWorkflowStatus ?? 'LOCKED'}. Try again when it has finished.`);
    }
    const versionId = properties.versionId;
    const document = JSON.parse(await client.getImageSetMetadata(datastoreId, imageSetId, versionId)) as unknown;
    const studyUid = studyInstanceUidOf(document);
    const study = studyName(document);
    const primaries = studyUid ? await this.deps.mates.primaries(datastoreId, studyUid) : [];

    const dirty = vscode.workspace.textDocuments.some((d) => d.isDirty && d.uri.toString() === metadataUri(datastoreId, imageSetId).toString());
    const answer = await this.deps.prompts.showWarningMessage(`Promote ${name} to primary?`, {
      modal: true,
      detail: `HealthImaging copies version ${versionId} of ${name} into a new primary image set, with a new id. ` +
        `The non-primary original stays as it is until you delete it.\n\n` +
        (primaries.length > 0
          ? `It joins ${study}, which has ${plural(primaries.length, 'primary image set')}. HealthImaging refuses the promotion while its Patient, Study or Series attributes differ from theirs.`
          : `${study} has no primary image set yet: the new image set becomes its primary data.`) +
        (dirty ? '\n\nThe open editor of this image set has unsaved changes: they are not part of the promotion. Save them first to include them.' : ''),
    }, PROMOTE);
    if (answer !== PROMOTE) {
      this.deps.log.info(`promotion of ${where} cancelled`);
      throw new CancellationError();
    }

    const followOptions: FollowOptions = { ...this.deps.follow, log: (m) => this.deps.log.info(m) };
    const started = Date.now();
    return vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Promoting ${name} to primary` }, async (progress) => {
      let copy;
      try {
        progress.report({ message: 'copying' });
        copy = await client.copyImageSet({ datastoreId, sourceImageSetId: imageSetId, sourceVersionId: versionId, promoteToPrimary: true });
      } catch (error) {
        if (error instanceof HealthImagingError && error.code === 'Throttling') {
          this.deps.log.warn(`${where}: CopyImageSet throttled`);
          throw new Error(`${name} was not promoted: HealthImaging is throttling CopyImageSet (it allows about one copy every few seconds). ` +
            'Nothing was copied; try again in a moment.');
        }
        if (error instanceof HealthImagingError && (error.code === 'Conflict' || error.code === 'Validation')) {
          this.deps.log.warn(`${where}: promotion refused (${error.code})`);
          return this.reportFailure('refused', { datastoreId, imageSetId, name, document, study, studyUid, serviceMessage: error.message });
        }
        throw error;
      }
      const created = copy.destination.imageSetId;
      this.deps.log.info(`${where}: CopyImageSet promoteToPrimary from version ${versionId} created image set ${created} (${copy.destination.imageSetWorkflowStatus ?? copy.destination.imageSetState})`);
      this.deps.mates.invalidate();
      this.deps.onDidCreateImageSet(datastoreId);
      try {
        progress.report({ message: `waiting for image set ${shortId(created)}` });
        const done = await followUpdate(client, datastoreId, created, copy.destination.latestVersionId, followOptions);
        if (done.isPrimary === false) {
          throw new UpdateFailedError(done.versionId, `${done.imageSetWorkflowStatus ?? done.imageSetState}, not primary`, done.message);
        }
      } catch (error) {
        this.deps.onDidCreateImageSet(datastoreId);
        if (error instanceof UpdateFailedError) {
          this.deps.log.warn(`${where}: the promoting copy ${created} ended ${error.status}`);
          return this.reportFailure('failed', {
            datastoreId, imageSetId, name, document, study, studyUid, created,
            serviceMessage: `image set ${shortId(created)}, version ${error.versionId}: ${error.status}${error.serviceMessage ? `: ${error.serviceMessage}` : ''}`,
          });
        }
        throw error;
      }
      this.deps.log.info(`${where}: promoted as ${created} in ${Date.now() - started} ms`);
      this.deps.onDidCreateImageSet(datastoreId);
      await vscode.window.showTextDocument(metadataUri(datastoreId, created), { preview: false });
      void Promise.resolve(this.deps.prompts.showInformationMessage(
        `Promoted ${name}: the new primary image set ${shortId(created)} is open. The non-primary original stays until you delete it.`,
        {}, DELETE_ORIGINAL,
      )).then((choice) => {
        if (choice === DELETE_ORIGINAL) {
          void vscode.commands.executeCommand(Commands.deleteImageSet, { datastoreId, imageSetId });
        }
      });
      return { outcome: 'promoted', datastoreId, sourceImageSetId: imageSetId, imageSetId: created } satisfies PromoteResult;
    });
  }

  /** The error message of a refused or failed promotion, with the attributes that still differ; offers Compare with Primary. */
  private async reportFailure(outcome: 'refused' | 'failed', at: {
    datastoreId: string; imageSetId: string; name: string; document: unknown; study: string; studyUid?: string; serviceMessage: string; created?: string;
  }): Promise<PromoteResult> {
    const conflicts = await this.conflicts(at.datastoreId, at.imageSetId, at.document, at.studyUid);
    const differs = conflicts.length > 0
      ? `it still differs from the primary image sets of its ${at.study} at ${describeHierarchyConflicts(conflicts)}. ` +
        'Make these attributes agree (Compare with Primary shows them), save, and promote again.'
      : '';
    const message = outcome === 'refused'
      ? `HealthImaging refused to promote ${at.name}: ${differs || `${at.serviceMessage}.`} Nothing was copied.`
      : `The copy that was to promote ${at.name} failed (${at.serviceMessage})${differs ? `: ${differs}` : '.'} ` +
        `Nothing was promoted${at.created ? `; image set ${shortId(at.created)} is not primary` : ''}.`;
    void Promise.resolve(this.deps.prompts.showErrorMessage(message, {}, COMPARE_WITH_PRIMARY)).then((choice) => {
      if (choice === COMPARE_WITH_PRIMARY) {
        void vscode.commands.executeCommand(Commands.compareWithPrimary, { datastoreId: at.datastoreId, imageSetId: at.imageSetId });
      }
    });
    return { outcome, datastoreId: at.datastoreId, sourceImageSetId: at.imageSetId, conflicts, message, imageSetId: at.created };
  }

  /** The attributes in which the image set differs from the primary image sets of its study (empty when they cannot be read). */
  private async conflicts(datastoreId: string, imageSetId: string, document: unknown, studyUid: string | undefined): Promise<HierarchyConflict[]> {
    if (!studyUid) {
      return [];
    }
    try {
      const client = this.deps.getClient();
      const primaries = (await this.deps.mates.primaries(datastoreId, studyUid)).filter((p) => p.imageSetId !== imageSetId).slice(0, MAX_PRIMARIES_READ);
      const documents = await Promise.all(primaries.map(async (p) => ({
        imageSetId: p.imageSetId, document: JSON.parse(await client.getImageSetMetadata(datastoreId, p.imageSetId)) as unknown,
      })));
      return findHierarchyConflicts(document, documents);
    } catch (error) {
      this.deps.log.warn(`reading the primary image sets of ${datastoreId}/${imageSetId}'s study failed: ${error instanceof Error ? error.name : String(error)}`);
      return [];
    }
  }
}
