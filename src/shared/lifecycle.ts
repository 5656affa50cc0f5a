// Ownership of registrations: every feature extends Disposable and registers what it creates,
// so disposing the feature releases its commands, listeners and emitters in reverse order.
import * as vscode from 'vscode';

export abstract class Disposable implements vscode.Disposable {
  private _disposables: vscode.Disposable[] = [];
  private _isDisposed = false;

  protected get isDisposed(): boolean {
    return this._isDisposed;
  }

  protected _register<T extends vscode.Disposable>(disposable: T): T {
    if (this._isDisposed) {
      disposable.dispose();
    } else {
      this._disposables.push(disposable);
    }
    return disposable;
  }

  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    const disposables = this._disposables.reverse();
    this._disposables = [];
    for (const d of disposables) {
      try {
        d.dispose();
      } catch {
        // one failing disposal must not keep the others alive
      }
    }
  }
}
