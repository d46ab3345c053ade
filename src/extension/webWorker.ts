// Simulation workers as web workers. Extension files may be served from another origin than
// the extension host, so the script is fetched and started from a same-origin blob URL.
import * as vscode from 'vscode';
import { WorkerPool, type SimWorker } from '../worker/pool';
import type { WorkerReply } from '../worker/protocol';

export function webWorkerPool(script: vscode.Uri): WorkerPool {
  const source = vscode.workspace.fs
    .readFile(script)
    .then((bytes) => URL.createObjectURL(new Blob([bytes as BlobPart], { type: 'text/javascript' })));
  return new WorkerPool(() => deferredWorker(source), Math.max(1, (navigator.hardwareConcurrency ?? 2) - 1));
}

/** A worker whose script URL is still being fetched: messages wait until it starts. */
function deferredWorker(url: PromiseLike<string>): SimWorker {
  let replyHandler: (reply: WorkerReply) => void = () => {};
  let crashHandler: (error: Error) => void = () => {};
  let terminated = false;
  const worker = Promise.resolve(url).then((href) => {
    const created = new Worker(href);
    created.onmessage = (event: MessageEvent<WorkerReply>) => replyHandler(event.data);
    created.onerror = (event) => crashHandler(new Error(event.message));
    if (terminated) created.terminate();
    return created;
  });
  return {
    post: (message) => void worker.then((w) => w.postMessage(message)),
    onReply: (handler) => (replyHandler = handler),
    onCrash: (handler) => (crashHandler = handler),
    terminate: () => {
      terminated = true;
      void worker.then((w) => w.terminate());
    },
  };
}
