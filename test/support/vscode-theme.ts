// VS Code's themes as the CSS variables a webview receives, for rendering the view outside VS Code
// (the report in Chromium) the way VS Code shows it: the e2e report screenshots and the docs' own.

/** VS Code's Dark Modern theme, as the variables a webview receives. */
export const VSCODE_DARK: Record<string, string> = {
  "--vscode-editor-background": "#1f1f1f",
  "--vscode-editor-foreground": "#cccccc",
  "--vscode-descriptionForeground": "#9d9d9d",
  "--vscode-panel-border": "#2b2b2b",
  "--vscode-sideBar-background": "#181818",
  "--vscode-list-hoverBackground": "#2a2d2e",
  "--vscode-list-activeSelectionBackground": "#04395e",
  "--vscode-list-activeSelectionForeground": "#ffffff",
  "--vscode-focusBorder": "#0078d4",
  "--vscode-textLink-foreground": "#4daafc",
  "--vscode-input-background": "#313131",
  "--vscode-input-foreground": "#cccccc",
  "--vscode-input-border": "#3c3c3c",
  "--vscode-button-secondaryBackground": "#313131",
  "--vscode-button-secondaryForeground": "#cccccc",
  "--vscode-editorWarning-foreground": "#cca700",
  "--vscode-charts-red": "#f14c4c",
  "--vscode-charts-green": "#89d185",
  "--vscode-charts-blue": "#3794ff",
  "--vscode-charts-orange": "#d18616",
  "--vscode-charts-yellow": "#cca700",
  "--vscode-charts-purple": "#b180d7",
  "--vscode-font-family": 'system-ui, "Ubuntu", "Droid Sans", sans-serif',
  "--vscode-font-size": "13px",
  "--vscode-editor-font-family": '"DejaVu Sans Mono", monospace',
};
