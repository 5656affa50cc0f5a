// Every question the extension asks a person goes through this interface, so that
// integration tests can script the answers (a recording fake) while everything else
// stays real. The default implementation is VS Code's window API.
import * as vscode from 'vscode';

export interface Prompts {
  showInformationMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined>;
  showWarningMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined>;
  showErrorMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined>;
  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[] | Thenable<readonly T[]>, options: vscode.QuickPickOptions): Thenable<T | undefined>;
  showInputBox(options: vscode.InputBoxOptions): Thenable<string | undefined>;
}

export const windowPrompts: Prompts = {
  showInformationMessage: (m, o, ...i) => vscode.window.showInformationMessage(m, o, ...i),
  showWarningMessage: (m, o, ...i) => vscode.window.showWarningMessage(m, o, ...i),
  showErrorMessage: (m, o, ...i) => vscode.window.showErrorMessage(m, o, ...i),
  showQuickPick: (items, options) => vscode.window.showQuickPick(items, options),
  showInputBox: (options) => vscode.window.showInputBox(options),
};

/**
 * The Prompts every feature holds: delegates to the window API, or to the fake a test
 * installed with `ExtensionTestApi.setPrompts`.
 */
export class SwitchablePrompts implements Prompts {
  private current: Prompts = windowPrompts;

  set(prompts: Prompts | undefined): void {
    this.current = prompts ?? windowPrompts;
  }

  showInformationMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined> {
    return this.current.showInformationMessage(message, options, ...items);
  }
  showWarningMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined> {
    return this.current.showWarningMessage(message, options, ...items);
  }
  showErrorMessage(message: string, options: vscode.MessageOptions, ...items: string[]): Thenable<string | undefined> {
    return this.current.showErrorMessage(message, options, ...items);
  }
  showQuickPick<T extends vscode.QuickPickItem>(items: readonly T[] | Thenable<readonly T[]>, options: vscode.QuickPickOptions): Thenable<T | undefined> {
    return this.current.showQuickPick(items, options);
  }
  showInputBox(options: vscode.InputBoxOptions): Thenable<string | undefined> {
    return this.current.showInputBox(options);
  }
}
