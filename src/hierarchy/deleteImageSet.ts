// "HealthImaging: Delete Image Set…": DeleteImageSet after a modal that names the patient, the study,
// the image set and how many versions it has, and says that it cannot be undone. An editor with unsaved
// changes of that image set asks first. Then: followed until DELETED, the image set's editors closed,
// the tree listed again.
import * as vscode from 'vscode';
import { HealthImagingError } from '../aws/errors';
import { listAllImageSetVersions, type HealthImagingClient } from '../aws/healthImagingClient';
import { Commands, SCHEME } from '../constants';
import { waitUntilUnlocked, type FollowOptions } from '../documents/updateFollower';
import { pickImageSet, targetImageSet } from '../explorer/imageSetPicker';
import { imageSetParts, type ExplorerNode } from '../explorer/nodes';
import { CancellationError, registerCommand } from '../shared/commands';
import { plural, shortId } from '../shared/format';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import { studyName, type StudyMates } from './studyMates';

export const DELETE = 'Delete';
export const DISCARD_AND_DELETE = 'Discard Changes and Delete';
const TITLE = 'HealthImaging: Delete Image Set…';

export interface DeleteDependencies {
  getClient(): HealthImagingClient;
  mates: Pick<StudyMates, 'invalidate'>;
  prompts: Prompts;
  log: Logger;
  /** A data store's image sets changed (the tree lists them again). */
  onDidDeleteImageSet(datastoreId: string, imageSetId: string): void;
  follow?: Omit<FollowOptions, 'log'>;
}

export interface DeleteResult {
  datastoreId: string;
  imageSetId: string;
  versions: number;
}

/** The URIs of every document about one image set: its metadata (any version) and its levels view. */
function isAbout(uri: vscode.Uri, datastoreId: string, imageSetId: string): boolean {
  return (uri.scheme === SCHEME || uri.scheme === 'healthimaging-levels' || uri.scheme === 'healthimaging-preview')
    && uri.path.startsWith(`/${datastoreId}/${imageSetId}.`);
}

export class DeleteImageSetCommand extends Disposable {
  constructor(private readonly deps: DeleteDependencies) {
    super();
    this._register(registerCommand(Commands.deleteImageSet, (arg?: unknown) => this.run(arg), { log: deps.log, prompts: deps.prompts }));
  }

  async run(arg?: unknown): Promise<DeleteResult | undefined> {
    const client = this.deps.getClient();
    const { datastoreId, imageSetId } = await targetImageSet(arg, () => pickImageSet(client, this.deps.prompts, {
      title: TITLE, placeHolder: 'Image set to delete (most recently updated first)',
    }));
    const where = `${datastoreId}/${imageSetId}`;
    const name = `image set ${shortId(imageSetId)}`;

    const properties = await client.getImageSet(datastoreId, imageSetId);
    if (properties.imageSetState === 'DELETED') {
      void this.deps.prompts.showInformationMessage(`${name} is already deleted.`, {});
      this.deps.onDidDeleteImageSet(datastoreId, imageSetId);
      return undefined;
    }
    if (properties.imageSetState === 'LOCKED') {
      throw new Error(`Cannot delete ${name} now: version ${properties.versionId} is ${properties.imageSetWorkflowStatus ?? 'LOCKED'}. Try again when it has finished.`);
    }
    const versions = (await listAllImageSetVersions(client, datastoreId, imageSetId)).length;
    const { patient, study } = await this.describe(client, arg, datastoreId, imageSetId);

    const answer = await this.deps.prompts.showWarningMessage(`Delete image set ${imageSetId} of ${patient}, ${study}?`, {
      modal: true,
      detail: `The ${properties.isPrimary === false ? 'non-primary' : 'primary'} image set ${imageSetId} is deleted from the data store with its metadata ` +
        `(${plural(versions, 'version')}) and its frames. This cannot be undone.`,
    }, DELETE);
    if (answer !== DELETE) {
      this.deps.log.info(`deletion of ${where} cancelled`);
      throw new CancellationError();
    }
    const dirty = vscode.workspace.textDocuments.filter((d) => d.isDirty && isAbout(d.uri, datastoreId, imageSetId));
    if (dirty.length > 0) {
      const discard = await this.deps.prompts.showWarningMessage(`The editor of ${name} has unsaved changes. Delete the image set and discard them?`, {
        modal: true, detail: 'The unsaved changes cannot be saved once the image set is deleted.',
      }, DISCARD_AND_DELETE);
      if (discard !== DISCARD_AND_DELETE) {
        this.deps.log.info(`deletion of ${where} cancelled (unsaved changes)`);
        throw new CancellationError();
      }
      for (const document of dirty) {
        // (revert needs the editor active; afterwards closing it asks nothing)
        await vscode.window.showTextDocument(document, { preview: false });
        await vscode.commands.executeCommand('workbench.action.files.revert');
      }
    }

    const followOptions: FollowOptions = { ...this.deps.follow, log: (m) => this.deps.log.info(m) };
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: `Deleting ${name}` }, async () => {
      try {
        await client.deleteImageSet(datastoreId, imageSetId);
      } catch (error) {
        if (error instanceof HealthImagingError && error.code === 'Throttling') {
          throw new Error(`${name} was not deleted: HealthImaging is throttling DeleteImageSet. Try again in a moment.`);
        }
        if (error instanceof HealthImagingError && error.code === 'Conflict') {
          throw new Error(`${name} was not deleted: it is being changed by another operation (${error.message}). Try again when it has finished.`);
        }
        throw error;
      }
      this.deps.log.info(`${where}: DeleteImageSet accepted (${plural(versions, 'version')})`);
      const done = await waitUntilUnlocked(client, datastoreId, imageSetId, followOptions).catch((error: unknown) => {
        if (error instanceof HealthImagingError && error.code === 'NotFound') {
          return undefined; // deleted image sets may be unknown to GetImageSet
        }
        throw error;
      });
      if (done && done.imageSetState !== 'DELETED') {
        throw new Error(`HealthImaging did not delete ${name}: it is ${done.imageSetState}${done.imageSetWorkflowStatus ? ` (${done.imageSetWorkflowStatus})` : ''}` +
          `${done.message ? `: ${done.message}` : ''}.`);
      }
    });
    this.deps.log.info(`${where}: DELETED`);
    await this.closeEditors(datastoreId, imageSetId);
    this.deps.mates.invalidate();
    this.deps.onDidDeleteImageSet(datastoreId, imageSetId);
    void this.deps.prompts.showInformationMessage(`Deleted ${name} (${plural(versions, 'version')}).`, {});
    return { datastoreId, imageSetId, versions };
  }

  /** Patient and study for the question: from the tree item's summary, else from the metadata. */
  private async describe(client: HealthImagingClient, arg: unknown, datastoreId: string, imageSetId: string): Promise<{ patient: string; study: string }> {
    const node = arg as Partial<ExplorerNode> | undefined;
    if (node && typeof node === 'object' && node.kind === 'imageSet' && node.summary?.imageSetId === imageSetId) {
      const t = node.summary.dicomTags ?? {};
      return {
        patient: imageSetParts(node.summary).who,
        study: studyName({ Study: { DICOM: { StudyDescription: t.studyDescription, StudyDate: t.studyDate, StudyInstanceUID: t.studyInstanceUID } } }),
      };
    }
    const document = JSON.parse(await client.getImageSetMetadata(datastoreId, imageSetId)) as { Patient?: { DICOM?: Record<string, unknown> } };
    const dicom = document.Patient?.DICOM ?? {};
    const patient = [dicom.PatientName, dicom.PatientID].find((v): v is string => typeof v === 'string' && v.trim() !== '') ?? 'an unnamed patient';
    return { patient, study: studyName(document) };
  }

  private async closeEditors(datastoreId: string, imageSetId: string): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((tab) => {
      const input = tab.input;
      if (input instanceof vscode.TabInputText) {
        return isAbout(input.uri, datastoreId, imageSetId);
      }
      if (input instanceof vscode.TabInputTextDiff) {
        return isAbout(input.original, datastoreId, imageSetId) || isAbout(input.modified, datastoreId, imageSetId);
      }
      return false;
    });
    if (tabs.length > 0) {
      await vscode.window.tabGroups.close(tabs);
    }
  }
}
