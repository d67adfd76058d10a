import type { WorkflowSteps } from '../../application/workflow-steps.js';
import { field } from './lambda-event.js';

/** `{ jobId }` → `{ generationId }`: the job runs and the model starts. */
export const createHandler = (steps: () => Pick<WorkflowSteps, 'startGeneration'>) => async (event: unknown) =>
  steps().startGeneration.execute({ jobId: field(event, 'jobId') });
