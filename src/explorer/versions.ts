// Commands on version nodes of the explorer: "Compare with Previous Version" (a diff of version
// N-1 against N, both read-only). "Open Version" is the version node's own click command.
import * as vscode from 'vscode';
import { Commands, SCHEME } from '../constants';
import { metadataUri, parseMetadataUri } from '../documents/metadataUri';
import { registerCommand } from '../shared/commands';
import { shortId } from '../shared/format';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import type { ExplorerNode } from './nodes';

export interface VersionCommandsDependencies {
  prompts: Prompts;
  log: Logger;
  /** The latest version id of an image set (for image set nodes and editable documents). */
  latestVersionId(datastoreId: string, imageSetId: string): Promise<string>;
}

export class VersionCommands extends Disposable {
  constructor(private readonly deps: VersionCommandsDependencies) {
    super();
    this._register(registerCommand(Commands.compareWithPreviousVersion,
      (arg?: ExplorerNode | vscode.Uri) => this.compareWithPrevious(arg), { log: deps.log }));
  }

  /** Opens the diff of version N-1 (left) against version N (right); resolves to [left, right] or undefined. */
  async compareWithPrevious(arg?: ExplorerNode | vscode.Uri): Promise<[vscode.Uri, vscode.Uri] | undefined> {
    let datastoreId: string;
    let imageSetId: string;
    let versionId: string | undefined;
    if (arg && !(arg instanceof vscode.Uri) && (arg.kind === 'version' || arg.kind === 'imageSet')) {
      datastoreId = arg.datastoreId;
      imageSetId = arg.imageSetId;
      versionId = arg.kind === 'version' ? arg.versionId : undefined;
    } else {
      const uri = arg instanceof vscode.Uri ? arg : vscode.window.activeTextEditor?.document.uri;
      if (!uri || uri.scheme !== SCHEME) {
        throw new Error('Choose a version in the HealthImaging explorer (or open an image set\'s metadata) to compare it with the previous version.');
      }
      ({ datastoreId, imageSetId, versionId } = parseMetadataUri(uri));
    }
    versionId ??= await this.deps.latestVersionId(datastoreId, imageSetId);
    const number = Number(versionId);
    if (!Number.isInteger(number) || number <= 1) {
      void this.deps.prompts.showInformationMessage(`Version ${versionId} is the first version of image set ${shortId(imageSetId)}: there is nothing before it.`, {});
      return undefined;
    }
    const left = metadataUri(datastoreId, imageSetId, String(number - 1));
    const right = metadataUri(datastoreId, imageSetId, versionId);
    await vscode.commands.executeCommand('vscode.diff', left, right,
      `${shortId(imageSetId)}: version ${number - 1} ↔ version ${versionId}`, { preview: true });
    return [left, right];
  }
}
