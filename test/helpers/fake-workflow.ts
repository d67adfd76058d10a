import type { Job } from '../../src/domain/job.ts';
import type { VideoWorkflow, WorkflowState } from '../../src/application/ports/video-workflow.ts';

/** A workflow engine the test drives: records starts and stops, can refuse, reports a set state. */
export class FakeWorkflow implements VideoWorkflow {
  started: string[] = [];
  stopped: string[] = [];
  refuse = false;
  state: WorkflowState | undefined;
  executionArn: string | undefined;

  async start(job: Job): Promise<{ executionArn?: string }> {
    if (this.refuse) throw new Error('workflow engine refused to start');
    this.started.push(job.jobId);
    return this.executionArn ? { executionArn: `${this.executionArn}:${job.jobId}` } : {};
  }
  async stop(job: Job): Promise<void> {
    this.stopped.push(job.jobId);
  }
  async describe(_job: Job): Promise<WorkflowState | undefined> {
    return this.state;
  }
}
