import * as assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { suite, suiteSetup, test } from 'mocha';
import * as vscode from 'vscode';
import { parse as parseYaml } from 'yaml';
import {
  CHART_MIME,
  cellsOfKind,
  codeCells,
  ERROR_MIME,
  executed,
  NOTEBOOK_TYPE,
  openLab,
  outputJson,
  RUN_MIME,
} from './labs';
import { note } from './reporter';
import { workspaceUri } from './workspace';

/** Every inline data row of a Vega-Lite spec, wherever in the view composition it sits. */
function dataRows(spec: unknown): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    const data = record.data as { values?: unknown } | undefined;
    if (Array.isArray(data?.values)) rows.push(...(data.values as Record<string, unknown>[]));
    if (record.datasets && typeof record.datasets === 'object') {
      for (const values of Object.values(record.datasets)) if (Array.isArray(values)) rows.push(...values);
    }
    for (const [key, value] of Object.entries(record)) if (key !== 'data' && key !== 'datasets') visit(value);
  };
  visit(spec);
  return rows;
}

/** How many CPUs the lab's machine cell describes (sockets × cores per socket × threads per core). */
function cpuCount(notebook: vscode.NotebookDocument): number {
  const [machine] = cellsOfKind(notebook, 'machine');
  assert.ok(machine, 'the lab has a machine cell');
  const fields = parseYaml(machine.document.getText()) as {
    sockets?: number;
    coresPerSocket?: number;
    threadsPerCore?: number;
  };
  return (fields.sockets ?? 1) * (fields.coresPerSocket ?? 1) * (fields.threadsPerCore ?? 1);
}

suite('intro.lab.md as a notebook', () => {
  const uri = () => workspaceUri('intro.lab.md');
  let notebook: vscode.NotebookDocument;
  let bytesBefore: Uint8Array;

  suiteSetup(async () => {
    bytesBefore = await readFile(uri().fsPath);
    notebook = await openLab(uri());
  });

  test('opens as a migration-lab notebook with Markdown and code cells', () => {
    assert.equal(notebook.notebookType, NOTEBOOK_TYPE);
    assert.ok(
      notebook.getCells().some((cell) => cell.kind === vscode.NotebookCellKind.Markup),
      'no Markdown cells',
    );
    assert.ok(cellsOfKind(notebook, 'run').length >= 1, 'no run cells');
    assert.ok(cellsOfKind(notebook, 'chart').length >= 1, 'no chart cells');
  });

  test('Run All executes every code cell successfully', async () => {
    // As a user does: the lab opens, and Run All comes a few seconds later, by which time the
    // workers the opening started have warmed up (RunHost.prepare). Clicked at once, the first
    // Run All also waits for them (about a second more on 2 cores).
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const since = Date.now();
    await vscode.commands.executeCommand('notebook.execute', notebook.uri);
    await executed(codeCells(notebook), since);
    note(
      `run all of intro.lab.md (${codeCells(notebook).length} code cells, first run of the session, 3 s after opening): ${Date.now() - since} ms`,
    );
    const failed = codeCells(notebook).filter((cell) => cell.executionSummary?.success !== true);
    assert.deepEqual(
      failed.map(
        (cell) =>
          `cell ${cell.index}: ${cell.outputs.flatMap((o) => o.items.map((i) => new TextDecoder().decode(i.data))).join(' ')}`,
      ),
      [],
    );
  });

  test('a run cell outputs its summary and digest', () => {
    for (const cell of cellsOfKind(notebook, 'run')) {
      const run = outputJson(cell, RUN_MIME) as { summary?: unknown; digest?: unknown };
      assert.ok(
        run.summary && typeof run.summary === 'object' && Object.keys(run.summary).length > 0,
        `cell ${cell.index}: no summary`,
      );
      assert.match(String(run.digest), /^[0-9a-f]{16,}$/, `cell ${cell.index}: digest`);
    }
    const digests = cellsOfKind(notebook, 'run').map(
      (cell) => (outputJson(cell, RUN_MIME) as { digest: string }).digest,
    );
    assert.equal(new Set(digests).size, digests.length, 'different runs have different digests');
  });

  test('chart cells output Vega-Lite specs; the per-CPU ones (load, queues) have a row per CPU for every run they show', () => {
    const cpus = cpuCount(notebook);
    const charts = cellsOfKind(notebook, 'chart');
    for (const cell of charts) {
      const chart = outputJson(cell, CHART_MIME) as { spec?: { $schema?: string } };
      assert.ok(chart.spec, `cell ${cell.index}: no spec`);
      assert.match(String(chart.spec.$schema), /vega-lite/);
    }
    const perCpu = charts.filter((cell) =>
      ['load', 'queues'].includes((parseYaml(cell.document.getText()) as { show?: string }).show ?? ''),
    );
    assert.ok(perCpu.length > 0, 'the intro lab has no load or queues chart');
    for (const cell of perCpu) {
      const chart = outputJson(cell, CHART_MIME) as { spec: unknown };
      const rows = dataRows(chart.spec).filter((row) => typeof row.cpu === 'number');
      assert.ok(rows.length > 0, `cell ${cell.index}: no per-CPU rows in the chart data`);
      const runs = (parseYaml(cell.document.getText()) as { runs?: string[] }).runs ?? [];
      for (const run of runs) {
        const cpusOfRun = new Set(rows.filter((row) => row.run === run).map((row) => row.cpu));
        assert.equal(
          cpusOfRun.size,
          cpus,
          `cell ${cell.index}: run ${run} has rows for ${cpusOfRun.size} of ${cpus} CPUs`,
        );
      }
    }
  });

  test('running leaves the notebook clean and the file byte-identical', async () => {
    assert.equal(notebook.isDirty, false, 'outputs made the notebook dirty');
    assert.deepEqual(await readFile(uri().fsPath), bytesBefore);
  });

  test('saving the unchanged notebook keeps the bytes and writes no outputs', async () => {
    assert.equal(await notebook.save(), true, 'save failed');
    const after = await readFile(uri().fsPath);
    assert.deepEqual(after, bytesBefore);
    const text = after.toString('utf8');
    for (const trace of [
      RUN_MIME,
      CHART_MIME,
      (outputJson(cellsOfKind(notebook, 'run')[0], RUN_MIME) as { digest: string }).digest,
    ]) {
      assert.ok(!text.includes(trace), `the saved file contains ${trace}`);
    }
  });

  test('saving after an edit and its reversal writes the same bytes through the serializer', async () => {
    // An unchanged, clean notebook may be saved without serializing it; an edit followed by
    // the opposite edit leaves the content unchanged but the notebook dirty, so this save
    // goes through serializeNotebook for every cell.
    const cell = codeCells(notebook)[0];
    const original = cell.document.getText();
    const whole = () =>
      new vscode.Range(cell.document.positionAt(0), cell.document.positionAt(cell.document.getText().length));
    for (const text of [`${original}# edited\n`, original]) {
      const edit = new vscode.WorkspaceEdit();
      edit.replace(cell.document.uri, whole(), text);
      assert.equal(await vscode.workspace.applyEdit(edit), true);
    }
    assert.equal(notebook.isDirty, true, 'the edits did not dirty the notebook');
    assert.equal(await notebook.save(), true, 'save failed');
    assert.equal(notebook.isDirty, false);
    assert.deepEqual(await readFile(uri().fsPath), bytesBefore);
  });
});

suite('a lab with an invalid cell', () => {
  test('shows an error output in that cell, and the other cells still run', async () => {
    // The intro lab with a broken run cell inserted after its first run cell.
    const intro = await readFile(workspaceUri('intro.lab.md').fsPath, 'utf8');
    const firstRunEnd = intro.indexOf('```', intro.indexOf('```run') + 3) + 3;
    assert.ok(firstRunEnd > 3, 'intro.lab.md has a run cell');
    const broken = '\n\nA run cell that is not valid:\n\n```run\nname: broken\nmachine: [unclosed\n```';
    const uri = workspaceUri('invalid-cell.lab.md');
    await writeFile(uri.fsPath, intro.slice(0, firstRunEnd) + broken + intro.slice(firstRunEnd));

    const notebook = await openLab(uri);
    const runs = cellsOfKind(notebook, 'run');
    const brokenCell = runs.find((cell) => cell.document.getText().includes('name: broken'));
    assert.ok(brokenCell, 'the broken cell is a run cell');

    const since = Date.now();
    await vscode.commands.executeCommand('notebook.cell.execute', {
      ranges: [{ start: 0, end: notebook.cellCount }],
      document: notebook.uri,
    });
    await executed(codeCells(notebook), since);

    assert.equal(brokenCell.executionSummary?.success, false, 'the broken cell did not fail');
    const error = outputJson(brokenCell, ERROR_MIME) as { message?: string };
    assert.ok(error.message, 'the error output has a message');
    for (const cell of codeCells(notebook).filter((c) => c !== brokenCell)) {
      assert.equal(
        cell.executionSummary?.success,
        true,
        `cell ${cell.index} (${cell.document.languageId}) did not succeed`,
      );
    }
    assert.ok(outputJson(cellsOfKind(notebook, 'chart')[0], CHART_MIME), 'the chart after the broken cell was drawn');
  });
});
