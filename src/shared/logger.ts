// One LogOutputChannel, "HealthImaging", shared by every component. Each component gets a
// child logger that prefixes its lines with `[component]`. Log ids, versions and timings only:
// never metadata values (patient data), credentials or tokens.
import * as vscode from 'vscode';
import { HealthImagingError } from '../aws/errors';
import { OUTPUT_CHANNEL_NAME } from '../constants';

export interface Logger {
  trace(message: string): void;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string | Error): void;
  /** A logger for a sub-component: `[parent/child]`. */
  child(component: string): Logger;
}

class PrefixedLogger implements Logger {
  constructor(private readonly channel: vscode.LogOutputChannel, private readonly component: string) {}
  private p(message: string): string {
    return `[${this.component}] ${message}`;
  }
  trace(message: string): void { this.channel.trace(this.p(message)); }
  debug(message: string): void { this.channel.debug(this.p(message)); }
  info(message: string): void { this.channel.info(this.p(message)); }
  warn(message: string): void { this.channel.warn(this.p(message)); }
  error(message: string | Error): void {
    this.channel.error(this.p(typeof message === 'string' ? message : describeError(message)));
  }
  child(component: string): Logger {
    return new PrefixedLogger(this.channel, `${this.component}/${component}`);
  }
}

/**
 * An error for the log, without its stack: our own messages never carry metadata values; for
 * errors that quote the service's text (which may repeat request values), only the operation,
 * code and request id.
 */
export function describeError(error: unknown): string {
  if (error instanceof HealthImagingError) {
    return error.toLogString();
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return `${error.name}${typeof code === 'string' && code !== error.name ? ` (${code})` : ''}: ${error.message}`;
  }
  return String(error);
}

export class LogService implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel(OUTPUT_CHANNEL_NAME, { log: true });
  }

  for(component: string): Logger {
    return new PrefixedLogger(this.channel, component);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
