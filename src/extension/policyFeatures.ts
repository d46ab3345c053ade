// Completions and hovers in policy cells, read from the policy API types that ship with the
// extension (dist/policy-api.d.ts), so the editor says exactly what the types document.
import * as vscode from 'vscode';
import {
  parsePolicyApi,
  policyCompletions,
  policyHover,
  type PolicyApi,
  type PolicyCompletion,
} from '../policy-api/editorHelp';
import { languageOf } from './cells';

const KIND: Record<PolicyCompletion['kind'], vscode.CompletionItemKind> = {
  member: vscode.CompletionItemKind.Method,
  hook: vscode.CompletionItemKind.Function,
  global: vscode.CompletionItemKind.Function,
  reason: vscode.CompletionItemKind.EnumMember,
};

export function registerPolicyFeatures(extensionUri: vscode.Uri): vscode.Disposable {
  let api: Promise<PolicyApi> | undefined;
  const load = () =>
    (api ??= Promise.resolve(
      vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'dist', 'policy-api.d.ts')),
    ).then((bytes) => parsePolicyApi(new TextDecoder().decode(bytes))));
  const selector = { language: languageOf('policy') };
  return vscode.Disposable.from(
    vscode.languages.registerCompletionItemProvider(
      selector,
      {
        async provideCompletionItems(document, position) {
          const prefix = document.lineAt(position.line).text.slice(0, position.character);
          return policyCompletions(await load(), prefix).map((c) => {
            const item = new vscode.CompletionItem(c.label, KIND[c.kind]);
            item.detail = c.detail;
            item.documentation = new vscode.MarkdownString(c.documentation);
            return item;
          });
        },
      },
      '.',
      "'",
      '"',
    ),
    vscode.languages.registerHoverProvider(selector, {
      async provideHover(document, position) {
        const found = policyHover(await load(), document.lineAt(position.line).text, position.character);
        if (!found) return undefined;
        return new vscode.Hover(
          new vscode.MarkdownString().appendCodeblock(found.signature, 'typescript').appendMarkdown(found.doc),
        );
      },
    }),
  );
}
