// Diagnostics while typing in a `healthimaging:` metadata document: invalid JSON and duplicate
// keys (with their position), edits HealthImaging would refuse (errors), values that do not fit
// their VR (warnings) and other edits that need force (information), on the attribute's range,
// with readable locations. Debounced; large documents wait a little longer.
import * as vscode from 'vscode';
import { primaryImageSetsPhrase, studyLevelAttributes } from '../core/hierarchy';
import { readableLocation } from '../core/metadataLocation';
import { computeMetadataUpdate } from '../core/metadataUpdate';
import { isValueFormatReason } from '../core/updateRules';
import { findJsonPointerRange, parseMetadataText } from '../core/metadataText';
import { SCHEME } from '../constants';
import type { Config } from '../shared/config';
import { Disposable } from '../shared/lifecycle';
import type { Logger } from '../shared/logger';
import type { MetadataBase } from './metadataFileSystemProvider';
import { parseBase, type StudyReach } from './saveFlow';

export const DIAGNOSTIC_SOURCE = 'HealthImaging';

export interface DiagnosticsDependencies {
  getBase(uri: vscode.Uri): MetadataBase | undefined;
  config: Pick<Config, 'maxAttributeBytes'>;
  log: Logger;
  /** Quiet time after the last keystroke before checking; default 300 ms (+1 ms per 10 kB). */
  debounceMs?: number;
  /** Whether a Study-level change would reach the whole study (includeStudyImageSets). */
  studyReach?: StudyReach;
}

export class MetadataDiagnostics extends Disposable {
  private readonly collection = this._register(vscode.languages.createDiagnosticCollection('healthimaging'));
  private readonly timers = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly _onDidUpdate = this._register(new vscode.EventEmitter<vscode.Uri>());
  /** Fires after a document's diagnostics were recomputed (tests wait on it). */
  readonly onDidUpdate = this._onDidUpdate.event;

  constructor(private readonly deps: DiagnosticsDependencies) {
    super();
    this._register(vscode.workspace.onDidOpenTextDocument((d) => this.schedule(d)));
    this._register(vscode.workspace.onDidChangeTextDocument((e) => this.schedule(e.document)));
    this._register(vscode.workspace.onDidCloseTextDocument((d) => this.forget(d.uri)));
    this._register(new vscode.Disposable(() => {
      for (const timer of this.timers.values()) {
        clearTimeout(timer);
      }
      this.timers.clear();
    }));
    for (const document of vscode.workspace.textDocuments) {
      this.schedule(document);
    }
    if (deps.studyReach) {
      this._register(deps.studyReach.onDidChange(() => vscode.workspace.textDocuments.forEach((d) => this.schedule(d))));
    }
  }

  /** The current diagnostics of a document (for tests and the preview). */
  get(uri: vscode.Uri): readonly vscode.Diagnostic[] {
    return this.collection.get(uri) ?? [];
  }

  /** Recomputes now (no debounce). */
  refresh(document: vscode.TextDocument): void {
    const key = document.uri.toString();
    const timer = this.timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    this.update(document);
  }

  private schedule(document: vscode.TextDocument): void {
    if (!isEditableMetadata(document.uri)) {
      return;
    }
    const key = document.uri.toString();
    const previous = this.timers.get(key);
    if (previous) {
      clearTimeout(previous);
    }
    // (the length from the last line's end: getText() would copy a large document on every keystroke)
    const length = document.offsetAt(document.lineAt(document.lineCount - 1).range.end);
    const delay = (this.deps.debounceMs ?? 300) + Math.floor(length / 10_000);
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      if (!document.isClosed) {
        this.update(document);
      }
    }, delay));
  }

  private forget(uri: vscode.Uri): void {
    const key = uri.toString();
    const timer = this.timers.get(key);
    if (timer) {
      clearTimeout(timer);
      this.timers.delete(key);
    }
    this.collection.delete(uri);
  }

  private update(document: vscode.TextDocument): void {
    try {
      this.collection.set(document.uri, this.compute(document));
    } catch (error) {
      this.deps.log.warn(`checking ${document.uri.path} failed: ${(error as Error).name}: ${(error as Error).message}`);
      this.collection.delete(document.uri);
    }
    this._onDidUpdate.fire(document.uri);
  }

  private compute(document: vscode.TextDocument): vscode.Diagnostic[] {
    const text = document.getText();
    const parsed = parseMetadataText(text);
    const diagnostics: vscode.Diagnostic[] = [];
    for (const problem of parsed.problems) {
      const range = new vscode.Range(document.positionAt(problem.offset), document.positionAt(problem.offset + Math.max(problem.length, 1)));
      diagnostics.push(make(range, problem.message, vscode.DiagnosticSeverity.Error, 'json'));
    }
    if (parsed.problems.length > 0) {
      return diagnostics;
    }
    const base = this.deps.getBase(document.uri);
    if (!base) {
      return diagnostics;
    }
    const original = parseBase(base);
    const plan = computeMetadataUpdate(original, parsed.value, {
      maxAttributeBytes: this.deps.config.maxAttributeBytes, isPrimary: base.isPrimary ?? false,
    });
    const where = (path: string) => readableLocation(path, parsed.value, original);
    const rangeOf = (path: string): vscode.Range => {
      const found = findJsonPointerRange(text, path) ?? nearestRange(text, path);
      return found
        ? new vscode.Range(document.positionAt(found.offset), document.positionAt(found.offset + found.length))
        : new vscode.Range(0, 0, 0, 1);
    };
    for (const refused of plan.refused) {
      diagnostics.push(make(rangeOf(refused.path), `${refused.reason} (${where(refused.path)})`, vscode.DiagnosticSeverity.Error, 'refused'));
    }
    for (const reason of plan.forceReasons) {
      // A value that does not fit its VR is most likely a typo: a warning of its own, with a quick fix where one is known.
      diagnostics.push(isValueFormatReason(reason.reason) // (on a primary image set it is refused: an error, above)
        ? make(rangeOf(reason.path), `${reason.reason} (${where(reason.path)})`, vscode.DiagnosticSeverity.Warning, 'vr-format')
        : make(rangeOf(reason.path), `Needs force: ${reason.reason} (${where(reason.path)})`, vscode.DiagnosticSeverity.Information, 'needs-force'));
    }
    const reach = plan.refused.length === 0 && plan.updates.length > 0 ? this.deps.studyReach?.cached(base) : undefined;
    if (reach && reach.others > 0) {
      const all = reach.others + 1;
      for (const attribute of studyLevelAttributes(plan.updates)) {
        diagnostics.push(make(rangeOf(attribute.path), reach.setting === 'always'
          ? `Study-level change: Save applies it to ${primaryImageSetsPhrase(all)} of this study (includeStudyImageSets). (${attribute.path})`
          : `Study-level change: Save can apply it to ${primaryImageSetsPhrase(all)} of this study; it asks first. (${attribute.path})`,
        vscode.DiagnosticSeverity.Information, 'study-wide'));
      }
    }
    return diagnostics;
  }
}

/** A removed attribute has no range in the edited text: use its closest surviving ancestor. */
function nearestRange(text: string, pointer: string): { offset: number; length: number } | undefined {
  let current = pointer;
  while (current.includes('/')) {
    current = current.slice(0, current.lastIndexOf('/'));
    if (current === '') {
      return undefined;
    }
    const found = findJsonPointerRange(text, current);
    if (found) {
      // The ancestor may span thousands of lines: mark its first line (its key) only.
      const lineEnd = text.indexOf('\n', found.offset);
      return { offset: found.offset, length: Math.max(1, Math.min(found.length, (lineEnd < 0 ? text.length : lineEnd) - found.offset)) };
    }
  }
  return undefined;
}

function make(range: vscode.Range, message: string, severity: vscode.DiagnosticSeverity, code: string): vscode.Diagnostic {
  const diagnostic = new vscode.Diagnostic(range, message, severity);
  diagnostic.source = DIAGNOSTIC_SOURCE;
  diagnostic.code = code;
  return diagnostic;
}

export function isEditableMetadata(uri: vscode.Uri): boolean {
  return uri.scheme === SCHEME && !/(^|&)version=/.test(uri.query);
}
