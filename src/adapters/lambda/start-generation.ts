import type { WorkflowSteps } from '../../application/workflow-steps.ts';
import { field } from './lambda-event.ts';

/** `{ jobId }` → `{ generationId }`: the job runs and the model starts. */
export const createHandler = (steps: () => Pick<WorkflowSteps, 'startGeneration'>) => async (event: unknown) =>
  steps().startGeneration.execute({ jobId: field(event, 'jobId') });
