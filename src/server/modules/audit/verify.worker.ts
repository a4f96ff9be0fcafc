import { parentPort, workerData } from 'node:worker_threads';
import { openReader, scanSegment, type SegmentTask } from './verify.db.js';

/**
 * Worker thread of `khien audit verify` (verify.db.ts): opens its own read-only connection, verifies the segments
 * it is sent one at a time and answers with their subtree roots and findings only — no leaf data crosses threads.
 * A null message closes it.
 */
const port = parentPort!;
const reader = await openReader((workerData as { url: string }).url);
port.on('message', (task: SegmentTask | null) => {
  if (task === null) {
    void reader.close().finally(() => port.close());
    return;
  }
  scanSegment(reader, task).then(
    (result) => port.postMessage({ result }),
    (err: unknown) => port.postMessage({ error: (err as Error).stack ?? String(err) }),
  );
});
