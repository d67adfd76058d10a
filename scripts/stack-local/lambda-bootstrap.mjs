// One Lambda execution environment: imports the function's handler once (its cold start), then runs one
// invocation per message from scripts/stack-local/lambda-pool.ts, as the Node.js runtime would, and
// answers { ok, payload } or the runtime's error shape { errorType, errorMessage, trace }.
// https://docs.aws.amazon.com/lambda/latest/dg/nodejs-exceptions.html
import { pathToFileURL } from 'node:url';

const [file, exportName] = process.argv.slice(2);
let handler;

process.on('message', async ({ id, event, context }) => {
  const deadline = Date.now() + context.timeoutMs;
  try {
    if (!handler) {
      const module = await import(pathToFileURL(file).href);
      handler = module[exportName];
      if (typeof handler !== 'function') throw Object.assign(new Error(`${file} does not export ${exportName}`), { name: 'Runtime.HandlerNotFound' });
    }
    const payload = await handler(event, { ...context, callbackWaitsForEmptyEventLoop: true, getRemainingTimeInMillis: () => deadline - Date.now() });
    process.send({ id, ok: true, payload: payload === undefined ? null : payload });
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    // The runtime logs a failed invocation itself, in its JSON log format (one line, the request id on it).
    process.stderr.write(`${JSON.stringify({ timestamp: new Date().toISOString(), level: 'ERROR', requestId: id, message: 'Invoke Error', errorType: error.name || 'Error', errorMessage: error.message, stackTrace: String(error.stack ?? '').split('\n') })}\n`);
    process.send({ id, ok: false, errorType: error.name || 'Error', errorMessage: error.message, trace: String(error.stack ?? '').split('\n') });
  }
});
