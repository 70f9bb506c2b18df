// The host's side of dist/analysisWorker.js: one worker thread started on
// first use, requests matched to responses by id, and cancellation by
// terminating the worker (a new one starts on the next request). Updates sent
// before a response (progress, the Problems-panel entries) go to `onUpdate`.
import * as vscode from 'vscode';
import { Worker } from 'node:worker_threads';
import { isUpdate, type WorkerMessage, type WorkerRequest, type WorkerUpdate } from './workerProtocol';

type Body<R> = R extends WorkerRequest ? Omit<R, 'id'> : never;
type Success = Extract<WorkerMessage, { ok: true }>;

export class AnalysisWorker implements vscode.Disposable {
  private worker: Worker | undefined;
  private nextId = 1;

  constructor(private readonly extensionUri: vscode.Uri) {}

  /** Sends one request; resolves with the response, or undefined when cancelled or failed (the failure is shown). */
  request<K extends Success['kind']>(
    body: Body<WorkerRequest> & { kind: K },
    token?: vscode.CancellationToken,
    onUpdate?: (update: WorkerUpdate) => void,
  ): Promise<Extract<Success, { kind: K }> | undefined> {
    const worker = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise((resolve) => {
      const onMessage = (response: WorkerMessage) => {
        if (response.id !== id) return;
        if (isUpdate(response)) {
          if (!token?.isCancellationRequested) onUpdate?.(response);
          return;
        }
        done();
        if (response.ok) resolve(response as Extract<Success, { kind: K }>);
        else {
          void vscode.window.showErrorMessage(`DM Race Lens: ${body.kind} failed: ${response.error}`);
          resolve(undefined);
        }
      };
      const cancel = token?.onCancellationRequested(() => {
        // The worker is busy with this request: stop it.
        done();
        void worker.terminate();
        if (this.worker === worker) this.worker = undefined;
        resolve(undefined);
      });
      const done = () => {
        worker.off('message', onMessage);
        cancel?.dispose();
      };
      worker.on('message', onMessage);
      try {
        worker.postMessage({ ...body, id });
      } catch (e) {
        done();
        void vscode.window.showErrorMessage(`DM Race Lens: could not start the ${body.kind}: ${e instanceof Error ? e.message : String(e)}`);
        resolve(undefined);
      }
    });
  }

  private start(): Worker {
    const worker = new Worker(vscode.Uri.joinPath(this.extensionUri, 'dist', 'analysisWorker.js').fsPath);
    worker.on('error', (e) => void vscode.window.showErrorMessage(`DM Race Lens worker: ${e.message}`));
    worker.on('exit', () => {
      if (this.worker === worker) this.worker = undefined;
    });
    return worker;
  }

  dispose(): void {
    void this.worker?.terminate();
    this.worker = undefined;
  }
}
