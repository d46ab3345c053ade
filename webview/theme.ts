// Vega config from the VS Code theme: charts use the editor's colours and font, so they look
// native in light, dark and high-contrast themes. "Light charts" ignores the theme on purpose.
import type { Config } from 'vega-lite';

export function themeConfig(lightCharts: boolean): Config {
  const style = getComputedStyle(document.documentElement);
  const cssVar = (name: string, fallback: string): string => style.getPropertyValue(name).trim() || fallback;
  const font = cssVar('--vscode-font-family', 'system-ui, sans-serif');
  const palette = lightCharts
    ? { fg: '#222222', muted: '#555555', grid: '#e3e3e3', background: '#ffffff' }
    : {
        fg: cssVar('--vscode-editor-foreground', cssVar('--vscode-foreground', '#333333')),
        muted: cssVar('--vscode-descriptionForeground', '#717171'),
        grid: cssVar('--vscode-editorWidget-border', cssVar('--vscode-panel-border', '#80808059')),
        background: 'transparent',
      };
  const axis = {
    labelColor: palette.muted,
    titleColor: palette.fg,
    gridColor: palette.grid,
    domainColor: palette.muted,
    tickColor: palette.muted,
    labelFont: font,
    titleFont: font,
  };
  return {
    background: palette.background,
    font,
    axis,
    legend: { labelColor: palette.fg, titleColor: palette.fg, labelFont: font, titleFont: font },
    header: { labelColor: palette.fg, titleColor: palette.fg, labelFont: font, titleFont: font },
    title: { color: palette.fg, subtitleColor: palette.muted, font, anchor: 'start' },
    view: { stroke: palette.grid },
    style: { 'guide-label': { fill: palette.muted }, 'guide-title': { fill: palette.fg } },
  };
}
