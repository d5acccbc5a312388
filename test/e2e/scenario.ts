import type { Page } from 'playwright-core';

export interface E2eContext {
  /** A fresh copy of test/fixtures/workspace for this scenario. */
  readonly workspace: string;
  readonly repoRoot: string;
  log(text: string): void;
}

export interface E2eScenario {
  readonly name: string;
  /** VS Code display language for this scenario (argv.json locale). */
  readonly locale?: string;
  /** A reason to skip (reported and counted as skipped, never as passed), or undefined to run. */
  skip?(ctx: { readonly repoRoot: string }): string | undefined;
  /**
   * Files the workspace needs before VS Code opens it (settings, models): written here they are there at
   * start-up, where a settings.json written by `run` reaches the extension host only once the file watcher sees it.
   */
  prepare?(ctx: E2eContext): void;
  /**
   * Environment of a VS Code server started for this scenario alone (and stopped after it): what the
   * extension host must see from its start, such as a toolchain on PATH. Called before `prepare`.
   */
  serverEnv?(ctx: { readonly repoRoot: string }): NodeJS.ProcessEnv;
  run(page: Page, ctx: E2eContext): Promise<void>;
}
