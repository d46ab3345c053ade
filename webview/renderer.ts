// The notebook renderer: draws run summaries and Vega-Lite charts in the notebook's output
// webview. All outputs of a notebook share one iframe, so every DOM query is scoped to the
// element VS Code hands us, and each output lives in its own shadow root for CSS isolation.
import type { ActivationFunction, OutputItem } from 'vscode-notebook-renderer';
import embed, { type Result } from 'vega-embed';
import { expressionInterpreter } from 'vega-interpreter';
import { lockedLoader, withoutUsermeta } from '../src/lab/outputs/chartSafety';
import {
  CHART_MIME,
  COMPARE_MIME,
  RUN_MIME,
  type ChartOutput,
  type CompareOutput,
  type RunOutput,
} from '../src/lab/outputs/contract';
import { renderCompareTable } from './compareTable';
import { themeConfig, themeKind } from './theme';
import { renderRunTable } from './runTable';
import { STYLES } from './styles';

interface LiveChart {
  chart: ChartOutput;
  host: HTMLElement;
  view?: Result;
}

/** Messages the extension host sends (see src/extension/rendererMessaging.ts). */
interface SettingsMessage {
  type: 'settings';
  lightCharts: boolean;
}

export const activate: ActivationFunction = (context) => {
  const charts = new Map<string, LiveChart>();
  let lightCharts = false;

  async function draw(live: LiveChart): Promise<void> {
    live.view?.finalize();
    live.host.replaceChildren();
    live.host.classList.toggle('light', lightCharts);
    // usermeta removed: vega-embed would take embed options (a loader, actions...) from it.
    live.view = await embed(live.host, withoutUsermeta(live.chart.spec), {
      renderer: 'svg',
      // Charts draw the lab's results and nothing else: no file, no network, safe links only.
      loader: lockedLoader() as never,
      config: themeConfig(lightCharts),
      // Vega's default expression evaluation uses `new Function`; the interpreter keeps
      // charts working under a strict content security policy.
      ast: true,
      expr: expressionInterpreter,
      actions: { export: { svg: true, png: true }, source: false, compiled: false, editor: false },
      downloadFileName: live.chart.title.replace(/[^\w-]+/g, '-') || 'chart',
    });
  }

  function redrawAll(): void {
    for (const live of charts.values()) void draw(live);
  }

  // Re-render every chart when the user switches the colour theme.
  let lastThemeKind = themeKind();
  new MutationObserver(() => {
    if (themeKind() !== lastThemeKind) {
      lastThemeKind = themeKind();
      redrawAll();
    }
  }).observe(document.body, { attributes: true, attributeFilter: ['data-vscode-theme-kind'] });

  context.onDidReceiveMessage?.((message: SettingsMessage) => {
    if (message?.type === 'settings' && message.lightCharts !== lightCharts) {
      lightCharts = message.lightCharts;
      redrawAll();
    }
  });
  context.postMessage?.({ type: 'ready' });

  function shell(element: HTMLElement): HTMLElement {
    const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
    root.replaceChildren();
    const style = document.createElement('style');
    style.textContent = STYLES;
    const host = document.createElement('div');
    host.className = 'migration-lab-output';
    root.append(style, host);
    return host;
  }

  return {
    async renderOutputItem(item: OutputItem, element: HTMLElement) {
      const host = shell(element);
      if (item.mime === RUN_MIME) {
        renderRunTable(item.json() as RunOutput, host);
        return;
      }
      if (item.mime === COMPARE_MIME) {
        renderCompareTable(item.json() as CompareOutput, host);
        return;
      }
      if (item.mime === CHART_MIME) {
        charts.get(item.id)?.view?.finalize();
        const live: LiveChart = { chart: item.json() as ChartOutput, host };
        charts.set(item.id, live);
        try {
          await draw(live);
        } catch (error) {
          host.textContent = `Could not draw the chart: ${error instanceof Error ? error.message : String(error)}`;
          host.classList.add('error');
        }
      }
    },
    disposeOutputItem(id?: string) {
      for (const [key, live] of charts) {
        if (id === undefined || key === id) {
          live.view?.finalize();
          charts.delete(key);
        }
      }
    },
  };
};
