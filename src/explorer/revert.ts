// "HealthImaging: Revert Image Set to Version…": pick a version, see what it changes (a diff of
// the current metadata against it), confirm, submit `revertToVersionId`, follow the new version
// to UPDATED, then refresh open documents and the tree. From the palette it works on the active
// document's image set (or asks for data store and image set); from the tree on the node's.
import * as vscode from 'vscode';
import { listAllImageSetVersions, type HealthImagingClient, type ImageSetVersion } from '../aws/healthImagingClient';
import { Commands } from '../constants';
import { readableLocation, shortUid } from '../core/metadataLocation';
import { differingPointers, fromPointer } from '../core/json';
import type { MetadataFileSystemProvider } from '../documents/metadataFileSystemProvider';
import { metadataUri } from '../documents/metadataUri';
import { followUpdate, UpdateFailedError, type FollowOptions } from '../documents/updateFollower';
import { CancellationError, registerCommand } from '../shared/commands';
import { detailLines, formatTime, MAX_DETAIL_LINES, plural, shortId } from '../shared/format';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import { pickImageSet, targetImageSet } from './imageSetPicker';
import type { ExplorerNode } from './nodes';

export const REVERT = 'Revert';
const TITLE = 'HealthImaging: Revert Image Set to Version…';

export interface RevertDependencies {
  getClient(): HealthImagingClient;
  provider: Pick<MetadataFileSystemProvider, 'refresh' | 'readFile'>;
  prompts: Prompts;
  log: Logger;
  /** Called after the image set got a new version (the tree reloads it). */
  onDidUpdate?(datastoreId: string, imageSetId: string): void;
  follow?: Omit<FollowOptions, 'log'>;
}

export interface RevertResult {
  datastoreId: string;
  imageSetId: string;
  revertedToVersionId: string;
  /** The version the revert created. */
  versionId: string;
}

interface Target {
  datastoreId: string;
  imageSetId: string;
  versionId?: string;
}

/** The quick pick item of a version: number, status, forced flag, time and message. */
export function versionItem(version: ImageSetVersion, latestId: string): vscode.QuickPickItem & { versionId: string } {
  return {
    label: `Version ${version.versionId}`,
    description: [version.imageSetWorkflowStatus ?? version.imageSetState, version.forced ? 'forced' : undefined,
      version.versionId === latestId ? 'current' : undefined].filter(Boolean).join(' · '),
    detail: [formatTime(version.updatedAt ?? version.createdAt), version.message].filter(Boolean).join(' · ') || undefined,
    versionId: version.versionId,
  };
}

function isFailed(version: ImageSetVersion): boolean {
  return /FAILED$/.test(version.imageSetWorkflowStatus ?? '');
}

export class RevertCommand extends Disposable {
  constructor(private readonly deps: RevertDependencies) {
    super();
    this._register(registerCommand(Commands.revertImageSet, (arg?: ExplorerNode | vscode.Uri) => this.run(arg), { log: deps.log }));
  }

  /** The whole command; resolves to what was done (tests read it), throws CancellationError when the user stops. */
  async run(arg?: ExplorerNode | vscode.Uri): Promise<RevertResult> {
    const client = this.deps.getClient();
    const target = await this.target(client, arg);
    const { datastoreId, imageSetId } = target;
    const name = `image set ${shortId(imageSetId)}`;

    const versions = await listAllImageSetVersions(client, datastoreId, imageSetId);
    const latest = versions[0];
    if (!latest) {
      throw new Error(`HealthImaging lists no versions of ${name}.`);
    }
    if (latest.imageSetState === 'LOCKED') {
      throw new Error(`Cannot revert ${name} now: version ${latest.versionId} is ${latest.imageSetWorkflowStatus ?? 'LOCKED'}. Try again when it has finished.`);
    }
    const candidates = versions.filter((v) => v.versionId !== latest.versionId && !isFailed(v));
    let chosen: string;
    if (target.versionId !== undefined) {
      if (target.versionId === latest.versionId) {
        throw new Error(`Version ${target.versionId} is the current version of ${name}; choose an older version to revert to.`);
      }
      const version = versions.find((v) => v.versionId === target.versionId);
      if (!version) {
        throw new Error(`${name} has no version ${target.versionId}.`);
      }
      if (isFailed(version)) {
        throw new Error(`Version ${target.versionId} of ${name} is ${version.imageSetWorkflowStatus}: it cannot be reverted to.`);
      }
      chosen = target.versionId;
    } else {
      if (candidates.length === 0) {
        void this.deps.prompts.showInformationMessage(`${name} has no earlier version to revert to (it is at version ${latest.versionId}).`, {});
        throw new CancellationError();
      }
      const picked = await this.deps.prompts.showQuickPick(candidates.map((v) => versionItem(v, latest.versionId)), {
        title: TITLE,
        placeHolder: `Revert ${name} (now version ${latest.versionId}) to…`,
        matchOnDescription: true,
        matchOnDetail: true,
      });
      if (!picked) {
        throw new CancellationError();
      }
      chosen = picked.versionId;
    }

    // What the revert changes: the current metadata (left) against the chosen version (right).
    await vscode.commands.executeCommand('vscode.diff',
      metadataUri(datastoreId, imageSetId, latest.versionId), metadataUri(datastoreId, imageSetId, chosen),
      `${shortId(imageSetId)}: version ${latest.versionId} (current) ↔ version ${chosen}`, { preview: true });

    const dirty = vscode.workspace.textDocuments.some((d) => d.isDirty && d.uri.toString() === metadataUri(datastoreId, imageSetId).toString());
    const changes = await this.describeChanges(datastoreId, imageSetId, latest.versionId, chosen);
    const answer = await this.deps.prompts.showWarningMessage(`Revert ${name} to version ${chosen}?`, {
      modal: true,
      detail: changes + `HealthImaging creates version ${Number(latest.versionId) + 1} with the metadata of version ${chosen}. ` +
        `Versions 1 to ${latest.versionId} stay in the history, so this can be undone by reverting again.` +
        (dirty ? '\n\nThe open editor of this image set has unsaved changes: they are kept, and saving them later applies them on top of the reverted metadata.' : ''),
    }, REVERT);
    if (answer !== REVERT) {
      this.deps.log.info(`revert of ${datastoreId}/${imageSetId} to version ${chosen} cancelled`);
      throw new CancellationError();
    }

    const followOptions: FollowOptions = { ...this.deps.follow, log: (m) => this.deps.log.info(m) };
    const versionId = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Window, title: `Reverting ${name} to version ${chosen}` },
      async () => {
        const result = await client.updateImageSetMetadata({
          datastoreId, imageSetId, latestVersionId: latest.versionId, update: { revertToVersionId: chosen },
        });
        this.deps.log.info(`${datastoreId}/${imageSetId}: revert to version ${chosen} against ${latest.versionId} created version ${result.latestVersionId}`);
        try {
          await followUpdate(client, datastoreId, imageSetId, result.latestVersionId, followOptions);
        } catch (error) {
          this.refreshAll(datastoreId, imageSetId);
          if (error instanceof UpdateFailedError) {
            throw new Error(`HealthImaging could not revert ${name} to version ${chosen} (version ${error.versionId}, ${error.status})${error.serviceMessage ? `: ${error.serviceMessage}` : ''}.`);
          }
          throw error;
        }
        return result.latestVersionId;
      });
    this.deps.log.info(`${datastoreId}/${imageSetId}: version ${versionId} UPDATED (revert to ${chosen})`);
    this.refreshAll(datastoreId, imageSetId);
    void this.deps.prompts.showInformationMessage(`Reverted ${name} to version ${chosen}: it is now at version ${versionId}.`, {});
    return { datastoreId, imageSetId, revertedToVersionId: chosen, versionId };
  }

  /** "What the revert changes" for the modal: each place that differs, with its readable location; '' when unknown. */
  private async describeChanges(datastoreId: string, imageSetId: string, from: string, to: string): Promise<string> {
    try {
      const read = async (versionId: string) => JSON.parse(new TextDecoder().decode(
        await this.deps.provider.readFile(metadataUri(datastoreId, imageSetId, versionId)))) as unknown;
      const [current, target] = await Promise.all([read(from), read(to)]);
      // What differs, whatever it is: a revert is no edit, so it may do what a save could not (put an
      // instance back under its old UID, for example), and the plan of an update would not list it.
      const pointers = differingPointers(current, target);
      if (pointers.length === 0) {
        return `Version ${to} holds the same metadata as version ${from}.\n\n`;
      }
      const shown = pointers.slice(0, MAX_DETAIL_LINES + 1).map((p) => readableLocation(p, target, current));
      // Two places that read the same (an instance listed under another UID in each version): tell them apart.
      const labels = [...shown];
      for (let i = 0; i < shown.length; i++) {
        if (labels.indexOf(labels[i]) !== labels.lastIndexOf(labels[i])) {
          const segments = fromPointer(pointers[i]) ?? [];
          shown[i] = `${shown[i]} (${shortUid(segments[segments.length - 1] ?? '')})`;
        }
      }
      return `Version ${to} differs from version ${from} in ${plural(pointers.length, 'place')}:\n${detailLines([...shown, ...pointers.slice(shown.length)])}\n\n`;
    } catch (error) {
      this.deps.log.warn(`could not list what the revert of ${datastoreId}/${imageSetId} to version ${to} changes: ${(error as Error).name}`);
      return '';
    }
  }

  private refreshAll(datastoreId: string, imageSetId: string): void {
    this.deps.provider.refresh(metadataUri(datastoreId, imageSetId));
    this.deps.onDidUpdate?.(datastoreId, imageSetId);
  }

  /** The image set (and maybe version) to revert: the tree node, the URI, the active editor, or asked. */
  private async target(client: HealthImagingClient, arg?: ExplorerNode | vscode.Uri): Promise<Target> {
    if (arg && !(arg instanceof vscode.Uri) && arg.kind === 'version') {
      return { datastoreId: arg.datastoreId, imageSetId: arg.imageSetId, versionId: arg.versionId };
    }
    return targetImageSet(arg, () => pickImageSet(client, this.deps.prompts, { title: TITLE, placeHolder: 'Image set to revert (most recently updated first)' }));
  }
}
