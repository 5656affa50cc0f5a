// A recording fake of the Prompts seam: answers scripted replies in order, records every
// question (message, detail, items), and fails the test on a question nobody scripted.
// Notifications without items (plain information) are recorded but need no script.
import * as assert from 'node:assert/strict';
import type * as vscode from 'vscode';
import type { Prompts } from '../../src/shared/prompts';

export type PromptKind = 'information' | 'warning' | 'error' | 'quickPick' | 'inputBox';

export interface RecordedPrompt {
  kind: PromptKind;
  message: string;
  modal: boolean;
  detail?: string;
  /** Button titles, or quick pick item labels. */
  items: string[];
  /** Quick pick items as given (labels, descriptions, details). */
  pickItems?: readonly vscode.QuickPickItem[];
  options?: vscode.QuickPickOptions | vscode.InputBoxOptions;
  answer: string | undefined;
}

export interface ScriptedReply {
  kind: PromptKind;
  /** The question must match this (substring or regex of the message / title / placeholder). */
  match?: string | RegExp;
  /** Button title, quick pick label (or a function choosing an item), input text; undefined = dismiss. */
  answer: string | undefined | ((items: readonly vscode.QuickPickItem[]) => vscode.QuickPickItem | undefined);
  /** Runs before the answer is given (e.g. to change the image set while a dialog is open). */
  before?: () => Promise<void>;
}

function matches(text: string, match: string | RegExp | undefined): boolean {
  return match === undefined || (typeof match === 'string' ? text.includes(match) : match.test(text));
}

export class FakePrompts implements Prompts {
  readonly recorded: RecordedPrompt[] = [];
  private readonly script: ScriptedReply[] = [];
  /** Questions nobody scripted; checked by `assertDone` (a failure inside the extension may be swallowed). */
  readonly unexpected: string[] = [];

  /** Adds replies to the end of the script. */
  reply(...replies: ScriptedReply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** Every scripted reply was used and nothing unexpected was asked. */
  assertDone(): void {
    assert.deepEqual(this.unexpected, [], `unexpected questions: ${this.unexpected.join(' | ')}`);
    assert.deepEqual(this.script.map((s) => `${s.kind} ${String(s.match ?? '')}`), [], 'scripted replies left unused');
  }

  /** Recorded prompts of one kind. */
  of(kind: PromptKind): RecordedPrompt[] {
    return this.recorded.filter((r) => r.kind === kind);
  }

  /** Resolves when a prompt matching `predicate` has been recorded (or after `timeoutMs`, rejecting). */
  async waitFor(predicate: (r: RecordedPrompt) => boolean, timeoutMs = 10_000): Promise<RecordedPrompt> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const found = this.recorded.find(predicate);
      if (found) {
        return found;
      }
      if (Date.now() > end) {
        throw new Error(`no such prompt within ${timeoutMs} ms; recorded: ${this.recorded.map((r) => `${r.kind}: ${r.message}`).join(' | ')}`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  showInformationMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined> {
    return this.message('information', message, options, items);
  }

  showWarningMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined> {
    return this.message('warning', message, options, items);
  }

  showErrorMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined> {
    return this.message('error', message, options, items);
  }

  async showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[] | Thenable<readonly T[]>, options: vscode.QuickPickOptions): Promise<T | undefined> {
    const list = await items;
    const text = [options.title, options.placeHolder].filter(Boolean).join(' | ');
    const reply = this.take('quickPick', text);
    await reply?.before?.();
    let answer: T | undefined;
    if (reply && typeof reply.answer === 'function') {
      answer = reply.answer(list) as T | undefined;
    } else if (reply && reply.answer !== undefined) {
      answer = list.find((i) => i.label === reply.answer);
      if (!answer) {
        this.unexpected.push(`quick pick "${text}" has no item "${String(reply.answer)}" (items: ${list.map((i) => i.label).join(', ')})`);
      }
    }
    this.recorded.push({ kind: 'quickPick', message: text, modal: false, items: list.map((i) => i.label), pickItems: list, options, answer: answer?.label });
    return answer;
  }

  async showInputBox(options: vscode.InputBoxOptions): Promise<string | undefined> {
    const text = [options.title, options.prompt, options.placeHolder].filter(Boolean).join(' | ');
    const reply = this.take('inputBox', text);
    await reply?.before?.();
    const answer = reply && typeof reply.answer === 'string' ? reply.answer : undefined;
    if (answer !== undefined && options.validateInput) {
      const problem = await options.validateInput(answer);
      if (problem) {
        this.unexpected.push(`input "${answer}" for "${text}" was rejected: ${typeof problem === 'string' ? problem : problem.message}`);
      }
    }
    this.recorded.push({ kind: 'inputBox', message: text, modal: false, items: [], options, answer });
    return answer;
  }

  private async message(kind: PromptKind, message: string, options: vscode.MessageOptions, items: string[]): Promise<string | undefined> {
    const modal = options.modal === true;
    const record: RecordedPrompt = { kind, message, modal, detail: options.detail, items, answer: undefined };
    this.recorded.push(record);
    const next = this.script[0];
    // A question (modal, or with buttons) needs a scripted reply; a plain notification takes one
    // only when the next reply is scripted for it by its text.
    const scriptedForIt = next !== undefined && next.kind === kind && next.match !== undefined && matches(message, next.match);
    if (!modal && items.length === 0 && !scriptedForIt) {
      return undefined;
    }
    const reply = this.take(kind, message);
    await reply?.before?.();
    if (reply && typeof reply.answer === 'string') {
      if (items.includes(reply.answer)) {
        record.answer = reply.answer;
      } else {
        this.unexpected.push(`${kind} "${message}" has no button "${reply.answer}" (buttons: ${items.join(', ')})`);
      }
    }
    return record.answer;
  }

  private take(kind: PromptKind, text: string): ScriptedReply | undefined {
    const next = this.script[0];
    if (!next || next.kind !== kind || !matches(text, next.match)) {
      this.unexpected.push(`${kind}: ${text}${next ? ` (expected ${next.kind} ${String(next.match ?? '')})` : ' (nothing scripted)'}`);
      return undefined;
    }
    this.script.shift();
    return next;
  }
}
