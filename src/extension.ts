// Composition root: builds the logger, config, prompts, connection (client factory) and the
// features, hands them to VS Code for disposal, and does nothing else. No network call here:
// the first request happens when the explorer is shown or a document is opened.
import * as vscode from 'vscode';
import { Commands, Settings } from './constants';
import { MetadataFileSystemProvider } from './documents/metadataFileSystemProvider';
import { Explorer, type ExplorerTreeDataProvider } from './explorer/explorer';
import { MetadataDiagnostics } from './documents/diagnostics';
import { UpdatePreview } from './documents/preview';
import { Frames, type FramesTestApi } from './frames/framesPanel';
import { SaveFlow } from './documents/saveFlow';
import { Hierarchy } from './hierarchy/hierarchy';
import { RevertCommand } from './explorer/revert';
import { MetadataCodeActions } from './language/codeActions';
import { GoToSeriesOrInstance } from './language/goToSeriesOrInstance';
import { MetadataLanguageFeatures } from './language/languageFeatures';
import { VersionCommands } from './explorer/versions';
import { Config } from './shared/config';
import { Connection } from './shared/connection';
import { LogService } from './shared/logger';
import { SwitchablePrompts, type Prompts } from './shared/prompts';

/** What `activate()` returns: a seam for integration tests (not a public API). */
export interface ExtensionTestApi {
  /** Replaces every question to the user with a (recording) fake; undefined restores the window API. */
  setPrompts(prompts: Prompts | undefined): void;
  readonly explorer: ExplorerTreeDataProvider;
  readonly metadataFileSystem: MetadataFileSystemProvider;
  readonly connection: Connection;
  readonly frames: FramesTestApi;
}

export function activate(context: vscode.ExtensionContext): ExtensionTestApi {
  const logs = new LogService();
  context.subscriptions.push(logs);
  const log = logs.for('extension');
  const started = Date.now();

  const config = new Config();
  const prompts = new SwitchablePrompts();
  const connection = new Connection(config, prompts, logs.for('connection'));
  context.subscriptions.push(connection);

  const metadataFileSystem = new MetadataFileSystemProvider(() => connection.getClient(), logs.for('documents'), () => config.documentLayout).register();
  context.subscriptions.push(metadataFileSystem, config.onDidChange([Settings.documentLayout], () => metadataFileSystem.reformatOpenDocuments()));

  const explorer = new Explorer(connection, config, prompts, logs.for('explorer'));
  context.subscriptions.push(explorer);

  // Primary and non-primary image sets across a study: study-wide saves, compare, promote, delete.
  const getClient = () => connection.getClient();
  const hierarchy = new Hierarchy({
    getClient, provider: metadataFileSystem, explorer: explorer.provider, prompts, config, log: logs.for('hierarchy'), onDidChangeConnection: connection.onDidChange,
  });
  context.subscriptions.push(hierarchy);

  // Saving: the save flow handles writeFile; diagnostics, preview, revert and version commands.
  const refreshImageSet = (datastoreId: string, imageSetId: string) => hierarchy.imageSetChanged(datastoreId, imageSetId);
  const saveFlow = new SaveFlow({ provider: metadataFileSystem, getClient, prompts, config, log: logs.for('save'), studyWide: hierarchy.studyWide });
  context.subscriptions.push(
    saveFlow,
    saveFlow.onDidUpdateImageSet((e) => refreshImageSet(e.datastoreId, e.imageSetId)),
    new MetadataDiagnostics({ getBase: (uri) => metadataFileSystem.getBase(uri), config, log: logs.for('diagnostics'), studyReach: hierarchy }),
    new UpdatePreview({ provider: metadataFileSystem, config, prompts, log: logs.for('preview'), studyReach: hierarchy }),
    new RevertCommand({ getClient, provider: metadataFileSystem, prompts, log: logs.for('revert'), onDidUpdate: refreshImageSet }),
    new VersionCommands({ prompts, log: logs.for('versions'), latestVersionId: async (d, i) => (await getClient().getImageSet(d, i)).versionId }),
  );

  const frames = new Frames({ getClient, extensionUri: context.extensionUri, prompts, log: logs.for('frames') });
  context.subscriptions.push(frames);

  // DICOM-aware editing: hover, completion, quick fixes, navigation.
  const language = new MetadataLanguageFeatures({ provider: metadataFileSystem, log: logs.for('language') });
  context.subscriptions.push(
    language,
    new MetadataCodeActions(language.texts, logs.for('language')),
    new GoToSeriesOrInstance(language.texts, prompts, logs.for('language')),
  );

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.showLog, () => logs.show()),
    vscode.commands.registerCommand(Commands.openSettings, () =>
      vscode.commands.executeCommand('workbench.action.openSettings', '@ext:healthimaging-tools.healthimaging-metadata-editor')),
  );

  log.info(`activated in ${Date.now() - started} ms (VS Code ${vscode.version})`);
  return {
    setPrompts: (p) => prompts.set(p),
    explorer: explorer.provider,
    metadataFileSystem,
    connection,
    frames,
  };
}

export function deactivate(): void {
  // everything is disposed through context.subscriptions
}
