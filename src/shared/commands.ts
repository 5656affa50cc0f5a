// The one command wrapper: every command of the extension is registered through it, so that
// failures are caught, logged with the command id, and shown once with a "Show Log" action.
import * as vscode from 'vscode';
import { Commands } from '../constants';
import { errorText } from './format';
import { describeError, type Logger } from './logger';
import type { Prompts } from './prompts';

const SHOW_LOG = 'Show Log';

/** Thrown to end a command quietly (the user cancelled a picker, say). */
export class CancellationError extends Error {
  constructor() {
    super('Cancelled');
    this.name = 'Cancelled';
  }
}

export interface CommandErrorSink {
  log: Logger;
  /** Where the error message goes (the Prompts seam, so tests see it); undefined = vscode.window. */
  prompts?: Pick<Prompts, 'showErrorMessage'>;
}

/** Shows an error message with "Show Log"; does not wait for the answer. */
export function showError(message: string, sink: CommandErrorSink): void {
  const shown = sink.prompts
    ? sink.prompts.showErrorMessage(message, {}, SHOW_LOG)
    : vscode.window.showErrorMessage(message, SHOW_LOG);
  void Promise.resolve(shown).then((choice) => {
    if (choice === SHOW_LOG) {
      void vscode.commands.executeCommand(Commands.showLog);
    }
  });
}

/**
 * Registers `id`. The handler's result is returned to `executeCommand` callers (tests use
 * that). An error is logged with the command id and shown once; the command then resolves to
 * undefined. A cancelled picker ends the command quietly.
 */
export function registerCommand<A extends unknown[], R>(
  id: string,
  handler: (...args: A) => R | Promise<R>,
  sink: CommandErrorSink,
): vscode.Disposable {
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...(args as A));
    } catch (error) {
      if (error instanceof CancellationError || (error instanceof vscode.CancellationError)) {
        return undefined;
      }
      sink.log.error(`${id} failed: ${describeError(error)}`);
      showError(errorText(error), sink);
      return undefined;
    }
  });
}
