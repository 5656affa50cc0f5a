// "HealthImaging: Go to Series or Instance…": a quick pick of the open image set's series (number,
// description, modality, instance count) and instances (InstanceNumber, SOP Instance UID as detail)
// that reveals the chosen one in the editor. Built from core's navigationTargets.
import * as vscode from 'vscode';
import { Commands, SCHEME } from '../constants';
import { navigationTargets, type NavigationTarget } from '../core/metadataLocation';
import { findJsonPointerRange, parseMetadataText } from '../core/metadataText';
import { shortId } from '../shared/format';
import { CancellationError, registerCommand } from '../shared/commands';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import type { Prompts } from '../shared/prompts';
import type { DocumentTexts } from './languageFeatures';

const TITLE = 'HealthImaging: Go to Series or Instance…';

type TargetItem = vscode.QuickPickItem & { target: NavigationTarget };

export class GoToSeriesOrInstance extends Disposable {
  constructor(private readonly texts: DocumentTexts, private readonly prompts: Prompts, private readonly log: Logger) {
    super();
    this._register(registerCommand(Commands.goToSeriesOrInstance, (uri?: vscode.Uri) => this.run(uri), { log, prompts }));
  }

  /** Asks, reveals the chosen series or instance, and returns its JSON pointer (tests read it). */
  async run(uri?: vscode.Uri): Promise<string> {
    const editor = await this.editorFor(uri);
    const document = editor.document;
    const started = Date.now();
    const text = this.texts.get(document);
    const parsed = parseMetadataText(text);
    if (parsed.value === undefined) {
      const p = parsed.problems[0];
      throw new Error(`The metadata is not valid JSON (line ${p.line}, column ${p.column}: ${p.message}); fix it to go to a series or instance.`);
    }
    const targets = navigationTargets(parsed.value);
    if (targets.length === 0) {
      throw new Error('This image set has no series to go to.');
    }
    const items: TargetItem[] = targets.map((target) => target.kind === 'series'
      ? { label: `$(list-tree) ${target.label}`, description: target.description, detail: target.detail, target }
      : { label: `$(file) ${target.label}`, description: target.description, detail: target.detail, target });
    const imageSetId = /([^/]+)\.json$/.exec(document.uri.path)?.[1] ?? '';
    this.log.info(`go to: ${targets.length} series and instances listed in ${Date.now() - started} ms`);
    const picked = await this.prompts.showQuickPick(items, {
      title: TITLE,
      placeHolder: `Series or instance of image set ${shortId(imageSetId)}: type a number, description, modality or UID`,
      matchOnDescription: true,
      matchOnDetail: true,
    });
    if (!picked) {
      throw new CancellationError();
    }
    const found = findJsonPointerRange(text, picked.target.pointer);
    if (!found) {
      throw new Error('That series or instance is no longer in the editor\'s text.');
    }
    const start = document.positionAt(found.offset);
    const keyEnd = document.positionAt(text.indexOf(':', found.offset));
    const shown = await vscode.window.showTextDocument(document, { viewColumn: editor.viewColumn, preserveFocus: false });
    shown.selection = new vscode.Selection(start, keyEnd);
    shown.revealRange(new vscode.Range(start, keyEnd), vscode.TextEditorRevealType.AtTop);
    return picked.target.pointer;
  }

  private async editorFor(uri?: vscode.Uri): Promise<vscode.TextEditor> {
    if (uri instanceof vscode.Uri && uri.scheme === SCHEME) {
      const visible = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
      return visible ?? vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    }
    const active = vscode.window.activeTextEditor;
    if (active?.document.uri.scheme === SCHEME) {
      return active;
    }
    throw new Error('Open the metadata of an image set (from the HealthImaging explorer) to go to one of its series or instances.');
  }
}
