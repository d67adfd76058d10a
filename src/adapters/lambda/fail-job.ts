import type { WorkflowSteps } from '../../application/workflow-steps.ts';
import { field } from './lambda-event.ts';

/**
 * `{ jobId, error: { Error, Cause } }` (a Catch's error output) → the job's `failure`. Only `Error`, the
 * error's name, is used: `Cause` holds messages and stack traces that users must not see.
 */
export const createHandler = (steps: () => Pick<WorkflowSteps, 'failJob'>) => async (event: unknown) => {
  const error = (event as { error?: { Error?: unknown } } | null)?.error?.Error;
  return steps().failJob.execute({ jobId: field(event, 'jobId'), error: typeof error === 'string' ? error : '' });
};
