// Completions and hovers inside lab cells, from the same schema that validates them.
// Cell documents have the `vscode-notebook-cell` scheme; their notebook gives the names that
// other cells define (machines, workloads, runs, policies, params).
import * as vscode from 'vscode';
import { completions, hover, labNames, type CompletionItem } from '../lab/language/editorHelp';
import { CELL_KINDS, type CellKind } from '../lab/document/markdown';
import { languageOf, toLabCells } from './cells';

const COMPLETION_KIND: Record<CompletionItem['kind'], vscode.CompletionItemKind> = {
  key: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.EnumMember,
  reference: vscode.CompletionItemKind.Reference,
  unit: vscode.CompletionItemKind.Unit,
  param: vscode.CompletionItemKind.Variable,
};

function toRange(r: {
  start: { line: number; character: number };
  end: { line: number; character: number };
}): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

/** The cell kind and notebook of a cell document, if it belongs to an open lab. */
function cellContext(document: vscode.TextDocument): { kind: CellKind; notebook: vscode.NotebookDocument } | undefined {
  const kind = CELL_KINDS.find((k) => languageOf(k) === document.languageId);
  if (!kind) return undefined;
  for (const notebook of vscode.workspace.notebookDocuments) {
    if (notebook.getCells().some((cell) => cell.document === document)) return { kind, notebook };
  }
  return undefined;
}

export function registerLanguageFeatures(): vscode.Disposable {
  const selector = CELL_KINDS.map((kind) => ({ language: languageOf(kind) }));
  return vscode.Disposable.from(
    vscode.languages.registerCompletionItemProvider(
      selector,
      {
        provideCompletionItems(document, position) {
          const at = cellContext(document);
          if (!at) return [];
          const names = labNames(toLabCells(at.notebook));
          return completions(at.kind, document.getText(), position, names).map((item) => {
            const completion = new vscode.CompletionItem(item.label, COMPLETION_KIND[item.kind]);
            completion.detail = item.detail;
            if (item.documentation) completion.documentation = new vscode.MarkdownString(item.documentation);
            completion.insertText = item.insertText ?? item.label;
            completion.range = toRange(item.range);
            return completion;
          });
        },
      },
      ':',
      ' ',
      '$',
      '.',
    ),
    vscode.languages.registerHoverProvider(selector, {
      provideHover(document, position) {
        const at = cellContext(document);
        if (!at) return undefined;
        const found = hover(at.kind, document.getText(), position, labNames(toLabCells(at.notebook)));
        return found && new vscode.Hover(new vscode.MarkdownString(found.contents), toRange(found.range));
      },
    }),
  );
}
