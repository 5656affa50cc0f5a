// Hover and completion in `healthimaging:` metadata documents: thin glue over core's knowledge
// (metadataHover, metadataCompletion). Both read the text as it is typed, never throw, and answer
// nothing where they have nothing to say.
import * as vscode from 'vscode';
import { SCHEME } from '../constants';
import { metadataCompletion, type CompletionEntry } from '../core/metadataCompletion';
import { metadataHover } from '../core/metadataHover';
import type { MetadataFileSystemProvider } from '../documents/metadataFileSystemProvider';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';

export const METADATA_SELECTOR: vscode.DocumentSelector = { scheme: SCHEME };

export interface LanguageDependencies {
  provider: Pick<MetadataFileSystemProvider, 'getBase'>;
  log: Logger;
}

/** The text of a document, once per version: a large document's getText() joins tens of MB of lines. */
export class DocumentTexts {
  private last: { uri: string; version: number; text: string } | undefined;

  get(document: vscode.TextDocument): string {
    const uri = document.uri.toString();
    if (this.last?.uri !== uri || this.last.version !== document.version) {
      this.last = { uri, version: document.version, text: document.getText() };
    }
    return this.last.text;
  }
}

function toRange(document: vscode.TextDocument, range: { offset: number; length: number }): vscode.Range {
  return new vscode.Range(document.positionAt(range.offset), document.positionAt(range.offset + range.length));
}

function toCompletionItem(range: vscode.Range, entry: CompletionEntry): vscode.CompletionItem {
  const item = new vscode.CompletionItem(
    { label: entry.label, description: entry.detail },
    entry.kind === 'attribute' ? vscode.CompletionItemKind.Property : vscode.CompletionItemKind.Value);
  item.insertText = new vscode.SnippetString(entry.insertText);
  item.range = range;
  item.filterText = entry.filterText;
  item.sortText = entry.sortText;
  item.detail = entry.detail;
  if (entry.documentation) item.documentation = entry.documentation;
  if (entry.deprecated) item.tags = [vscode.CompletionItemTag.Deprecated];
  return item;
}

export class MetadataLanguageFeatures extends Disposable implements vscode.HoverProvider, vscode.CompletionItemProvider {
  readonly texts = new DocumentTexts();

  constructor(private readonly deps: LanguageDependencies) {
    super();
    this._register(vscode.languages.registerHoverProvider(METADATA_SELECTOR, this));
    this._register(vscode.languages.registerCompletionItemProvider(METADATA_SELECTOR, this, '"'));
  }

  provideHover(document: vscode.TextDocument, position: vscode.Position): vscode.Hover | undefined {
    try {
      const isPrimary = this.deps.provider.getBase(document.uri)?.isPrimary;
      const hover = metadataHover(this.texts.get(document), document.offsetAt(position), { isPrimary });
      if (!hover) return undefined;
      return new vscode.Hover(new vscode.MarkdownString(hover.markdown), toRange(document, hover.range));
    } catch (error) {
      this.deps.log.warn(`hover failed: ${(error as Error).name}: ${(error as Error).message}`);
      return undefined;
    }
  }

  provideCompletionItems(document: vscode.TextDocument, position: vscode.Position): vscode.CompletionList | undefined {
    try {
      const completion = metadataCompletion(this.texts.get(document), document.offsetAt(position));
      if (!completion) return undefined;
      const range = toRange(document, completion.range);
      return new vscode.CompletionList(completion.items.map((e) => toCompletionItem(range, e)), false);
    } catch (error) {
      this.deps.log.warn(`completion failed: ${(error as Error).name}: ${(error as Error).message}`);
      return undefined;
    }
  }
}
