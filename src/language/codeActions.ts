// Quick fixes in `healthimaging:` metadata documents: thin glue over core's metadataFixes (move an
// attribute to its level, use the keyword of a tag, correct a DA/TM/DT/AS/UI value, generate a new
// UID). Each fix names the HealthImaging diagnostic it answers, so it shows on that problem.
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { metadataFixes, type MetadataFix } from '../core/metadataFixes';
import { isValueFormatReason } from '../core/updateRules';
import { uidFromUuid } from '../core/valueRepresentation';
import { DIAGNOSTIC_SOURCE } from '../documents/diagnostics';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import { METADATA_SELECTOR, type DocumentTexts } from './languageFeatures';

/** Does the fix answer the diagnostic? (A value that does not fit its VR is refused on a primary image set.) */
function answers(fix: MetadataFix, d: vscode.Diagnostic): boolean {
  if (fix.diagnosticCode === 'vr-format') return d.code === 'vr-format' || (d.code === 'refused' && isValueFormatReason(d.message));
  return fix.diagnosticCode !== undefined && d.code === fix.diagnosticCode;
}

export class MetadataCodeActions extends Disposable implements vscode.CodeActionProvider {
  static readonly kinds = [vscode.CodeActionKind.QuickFix, vscode.CodeActionKind.RefactorRewrite];

  constructor(private readonly texts: DocumentTexts, private readonly log: Logger) {
    super();
    this._register(vscode.languages.registerCodeActionsProvider(METADATA_SELECTOR, this, { providedCodeActionKinds: MetadataCodeActions.kinds }));
  }

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    if (document.uri.query) return []; // an older version: read-only
    try {
      const fixes = metadataFixes(this.texts.get(document), document.offsetAt(range.start), { newUid: () => uidFromUuid(randomUUID()) });
      return fixes.map((fix) => {
        const action = new vscode.CodeAction(fix.title, fix.diagnosticCode ? vscode.CodeActionKind.QuickFix : vscode.CodeActionKind.RefactorRewrite);
        const edit = new vscode.WorkspaceEdit();
        for (const e of fix.edits) {
          edit.replace(document.uri, new vscode.Range(document.positionAt(e.offset), document.positionAt(e.offset + e.length)), e.newText);
        }
        action.edit = edit;
        action.isPreferred = fix.isPreferred;
        // (the diagnostics in the context, or, when the fix was asked for without them, the document's)
        const candidates = context.diagnostics.length > 0 ? context.diagnostics : vscode.languages.getDiagnostics(document.uri);
        action.diagnostics = candidates.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.range.contains(range.start) && answers(fix, d));
        return action;
      });
    } catch (error) {
      this.log.warn(`code actions failed: ${(error as Error).name}: ${(error as Error).message}`);
      return [];
    }
  }
}
