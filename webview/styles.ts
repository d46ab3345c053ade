// Styles for outputs, inside each output's shadow root. Colours come from VS Code's theme
// variables, which are inherited through the shadow boundary.
export const STYLES = `
.migration-lab-output { font-family: var(--vscode-font-family); font-size: var(--vscode-font-size, 13px); color: var(--vscode-foreground); }
.migration-lab-output.light { background: #ffffff; color: #222222; padding: 4px; }
.migration-lab-output.error { color: var(--vscode-errorForeground); }
.run-heading { font-weight: 600; margin: 2px 0 6px; }
table.run-summary { border-collapse: collapse; }
table.run-summary th { text-align: left; font-weight: normal; color: var(--vscode-descriptionForeground); padding: 1px 16px 1px 0; }
table.run-summary td { font-variant-numeric: tabular-nums; padding: 1px 28px 1px 0; }
table.run-summary tr.group th { color: var(--vscode-foreground); font-weight: 600; padding-top: 6px; }
table.run-summary th[data-metric] { cursor: help; }
table.run-summary th[data-metric]:hover, table.run-summary th[data-metric]:focus { color: var(--vscode-textLink-foreground); outline: none; }
.warn { color: var(--vscode-editorWarning-foreground, #b26b00); }
.metric-definition { margin-top: 6px; max-width: 72em; color: var(--vscode-descriptionForeground); }
.metric-definition strong { color: var(--vscode-foreground); font-weight: 600; }
table.compare thead .unit { font-size: 0.85em; }
details summary { cursor: pointer; color: var(--vscode-textLink-foreground); margin: 4px 0; }
.run-footer { margin-top: 6px; color: var(--vscode-descriptionForeground); font-size: 0.9em; }
table.compare { border-collapse: collapse; font-variant-numeric: tabular-nums; }
table.compare th, table.compare td { text-align: right; padding: 2px 10px; border-bottom: 1px solid var(--vscode-editorWidget-border, #8884); vertical-align: top; }
table.compare th:first-child { text-align: left; }
table.compare thead th { color: var(--vscode-descriptionForeground); font-weight: normal; }
table.compare td.best { font-weight: 700; color: var(--vscode-charts-green, inherit); }
table.compare .difference { font-size: 0.85em; color: var(--vscode-descriptionForeground); }
.vega-embed { width: 100%; }
.vega-embed summary { opacity: 0.6; }
`;
