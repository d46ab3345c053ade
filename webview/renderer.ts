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
import { themeConfig } from './theme';
import { renderRunTable } from './runTable';
import { STYLES } from './styles';

interface LiveChart {
  chart: ChartOutput;
  host: HTMLElement;
  view?: Result;
  /** Counts draws: a draw that a later one overtook (two quick theme switches) is discarded. */
  generation: number;
}

/** Messages the extension host sends (see src/extension/rendererMessaging.ts). */
interface SettingsMessage {
  type: 'settings';
  lightCharts: boolean;
}

export const activate: ActivationFunction = (context) => {
  const charts = new Map<string, LiveChart>();
  let lightCharts = false;

  /** Draws a chart into its output; a chart that cannot be drawn says why in its place. */
  async function draw(live: LiveChart): Promise<void> {
    const generation = ++live.generation;
    live.view?.finalize();
    live.view = undefined;
    // Each draw embeds into a fresh element that takes the old one's place: one still drawing
    // when the next starts (two quick theme switches) finishes into an element no longer shown,
    // instead of adding a second chart to the output, and is discarded.
    const host = document.createElement('div');
    host.className = 'migration-lab-output';
    host.classList.toggle('light', lightCharts);
    live.host.replaceWith(host);
    live.host = host;
    try {
      // usermeta removed: vega-embed would take embed options (a loader, actions...) from it.
      const view = await embed(host, withoutUsermeta(live.chart.spec), {
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
      if (generation === live.generation) live.view = view;
      else view.finalize();
    } catch (error) {
      if (generation !== live.generation) return;
      host.textContent = `Could not draw the chart: ${error instanceof Error ? error.message : String(error)}`;
      host.classList.add('error');
    }
  }

  /** A chart whose output is replaced or removed: its view is freed, a draw in flight discarded. */
  function retire(live: LiveChart | undefined): void {
    if (!live) return;
    live.generation++;
    live.view?.finalize();
    live.view = undefined;
  }

  function redrawAll(): void {
    for (const live of charts.values()) void draw(live);
  }

  // Re-render every chart when the colours or font it takes from the theme change: a switch
  // between two themes of one kind (Light+ to Light Modern, Dark Modern to Monokai) and the
  // theme VS Code applies just after start-up change them without changing the theme kind.
  // VS Code sets the theme's colours as CSS variables on the root element's style.
  let lastTheme = JSON.stringify(themeConfig(lightCharts));
  const themeObserver = new MutationObserver(() => {
    const theme = JSON.stringify(themeConfig(lightCharts));
    if (theme !== lastTheme) {
      lastTheme = theme;
      redrawAll();
    }
  });
  themeObserver.observe(document.documentElement, { attributes: true, attributeFilter: ['style'] });
  themeObserver.observe(document.body, {
    attributes: true,
    attributeFilter: ['data-vscode-theme-kind', 'data-vscode-theme-id'],
  });

  context.onDidReceiveMessage?.((message: SettingsMessage) => {
    if (message?.type === 'settings' && message.lightCharts !== lightCharts) {
      lightCharts = message.lightCharts;
      lastTheme = JSON.stringify(themeConfig(lightCharts));
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
        retire(charts.get(item.id));
        const live: LiveChart = { chart: item.json() as ChartOutput, host, generation: 0 };
        charts.set(item.id, live);
        await draw(live);
      }
    },
    disposeOutputItem(id?: string) {
      for (const [key, live] of charts) {
        if (id === undefined || key === id) {
          retire(live);
          charts.delete(key);
        }
      }
    },
  };
};
