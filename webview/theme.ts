/** Colours for the canvas, read from VS Code's theme variables (light, dark and high contrast alike). */
import type { OpCategory } from '../src/shared/graph';

export interface Theme {
  readonly background: string;
  readonly foreground: string;
  readonly muted: string;
  readonly nodeFill: string;
  readonly nodeBorder: string;
  readonly edge: string;
  readonly selection: string;
  readonly error: string;
  readonly errorFill: string;
  readonly warning: string;
  readonly warningFill: string;
  readonly moduleFill: string;
  readonly moduleBorder: string;
  readonly portFill: string;
  readonly added: string;
  readonly modified: string;
  readonly highContrast: boolean;
  readonly font: string;
  readonly categories: Readonly<Record<OpCategory, string>>;
}

export function readTheme(): Theme {
  const style = getComputedStyle(document.body);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const foreground = v('--vscode-editor-foreground', '#cccccc');
  const contrastBorder = style.getPropertyValue('--vscode-contrastBorder').trim();
  const family = v('--vscode-font-family', 'sans-serif');
  return {
    background: v('--vscode-editor-background', '#1e1e1e'),
    foreground,
    muted: v('--vscode-descriptionForeground', '#999999'),
    nodeFill: v('--vscode-editorWidget-background', '#252526'),
    nodeBorder: contrastBorder || v('--vscode-editorWidget-border', '#454545'),
    edge: v('--vscode-editorLineNumber-foreground', '#858585'),
    selection: v('--vscode-focusBorder', '#007fd4'),
    error: v('--vscode-errorForeground', '#f48771'),
    errorFill: v('--vscode-inputValidation-errorBackground', '#5a1d1d'),
    warning: v('--vscode-editorWarning-foreground', '#cca700'),
    warningFill: v('--vscode-inputValidation-warningBackground', '#352a05'),
    moduleFill: v('--vscode-sideBar-background', '#252526'),
    moduleBorder: contrastBorder || v('--vscode-panel-border', '#80808059'),
    portFill: v('--vscode-badge-background', '#4d4d4d'),
    added: v('--vscode-gitDecoration-addedResourceForeground', '#81b88b'),
    modified: v('--vscode-gitDecoration-modifiedResourceForeground', '#e2c08d'),
    highContrast: document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light'),
    font: family,
    categories: {
      layer: v('--vscode-charts-blue', '#3794ff'),
      activation: v('--vscode-charts-purple', '#b180d7'),
      normalization: v('--vscode-charts-green', '#89d185'),
      pool: v('--vscode-charts-green', '#89d185'),
      shape: v('--vscode-descriptionForeground', '#999999'),
      tensor: v('--vscode-charts-foreground', '#cccccc'),
      logic: v('--vscode-charts-orange', '#d18616'),
      math: v('--vscode-charts-lines', '#cccccc80'),
      quantization: v('--vscode-charts-yellow', '#cca700'),
      control: v('--vscode-charts-red', '#f14c4c'),
      custom: v('--vscode-charts-orange', '#d18616'),
      other: v('--vscode-charts-lines', '#cccccc80'),
    },
  };
}
