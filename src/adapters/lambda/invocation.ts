// One log line per invocation, as the API writes one per request: every workflow function's handler is
// wrapped in this, so each invocation runs in its log context (the job, the id of the API request that
// started the job, and the Lambda's own awsRequestId) and every line written meanwhile carries them.
import type { Logger } from '../../application/ports/logger.ts';
import { runWithLogContext, type LogContext } from '../observability/log-context.ts';

/** The part of the Lambda runtime's context object that the log line uses. */
export interface LambdaContext {
  awsRequestId?: string;
}

export type StepHandler = (event: unknown) => Promise<unknown>;

export function loggedInvocations(logger: () => Logger, handler: StepHandler): (event: unknown, context?: LambdaContext) => Promise<unknown> {
  return (event, context) => {
    const fields: LogContext = { jobId: text(event, 'jobId'), requestId: text(event, 'requestId'), awsRequestId: context?.awsRequestId };
    return runWithLogContext(fields, async () => {
      const started = performance.now();
      const duration = () => Math.round((performance.now() - started) * 100) / 100;
      try {
        const result = await handler(event);
        logger().info({ duration: duration() }, 'invocation completed');
        return result;
      } catch (err) {
        // Its name is what the state machine's Retry and Catch match (JobFinished, ProviderUnavailable, …);
        // the runtime logs the stack itself ("Invoke Error").
        const error = err instanceof Error ? err : new Error(String(err));
        logger().warn({ duration: duration(), errorType: error.name, errorMessage: error.message }, 'invocation failed');
        throw err;
      }
    });
  };
}

/** A string member of the event, if there is one (a malformed event is the step's to refuse). */
function text(event: unknown, name: string): string | undefined {
  const value = (event as Record<string, unknown> | null)?.[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
