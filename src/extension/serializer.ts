// Reads and writes *.lab.md files. Outputs are transient (registered with transientOutputs),
// so running a lab never changes the file; unchanged cells are written back byte for byte.
import * as vscode from 'vscode';
import { parseLab, serializeLab } from '../lab/document/markdown';
import { fromVscodeCell, toVscodeCell } from './cells';

export class LabSerializer implements vscode.NotebookSerializer {
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  private readonly encoder = new TextEncoder();

  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    return new vscode.NotebookData(parseLab(this.decoder.decode(content)).map(toVscodeCell));
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    const cells = data.cells.map((cell) =>
      fromVscodeCell({ kind: cell.kind, languageId: cell.languageId, value: cell.value, metadata: cell.metadata }),
    );
    return this.encoder.encode(serializeLab(cells));
  }
}
