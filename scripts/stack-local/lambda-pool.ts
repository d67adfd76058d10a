// The Lambda service for the template's functions: each invocation runs in a child process of its own
// (lambda-bootstrap.mjs) given exactly the function's environment, its heap held to MemorySize and the
// process killed at Timeout. An idle process is reused by the next invocation of the same function (a
// warm start), as Lambda reuses execution environments. Failures surface under the names the Lambda
// service reports, so the state machine's Retry and Catch see what they would see in AWS.
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';

export interface LambdaFunction {
  id: string;
  name: string;
  arn: string;
  /** The handler's module (from Handler "file.export") in the function's code directory. */
  file: string;
  exportName: string;
  taskRoot: string;
  env: Record<string, string>;
  memoryMb: number;
  timeoutSeconds: number;
}

/** An invocation that failed, named as Lambda names it (the function's errorType, Sandbox.Timedout, …). */
export class LambdaError extends Error {
  readonly detail: { errorType: string; errorMessage: string; trace?: string[] };
  constructor(name: string, detail: { errorType: string; errorMessage: string; trace?: string[] }) {
    // Step Functions' Cause for a failed Lambda task is the error payload as JSON.
    super(JSON.stringify(detail));
    this.detail = detail;
    this.name = name;
  }
}

type Reply = { id: string; ok: true; payload: unknown } | { id: string; ok: false; errorType: string; errorMessage: string; trace?: string[] };

interface Worker {
  child: ChildProcess;
  stderr: string;
}

export class LambdaPool {
  private readonly idle = new Map<string, Worker[]>();
  private readonly all = new Set<ChildProcess>();
  private running = 0;
  /** Invocations so far, per function id (tests). */
  readonly invocations = new Map<string, number>();

  private readonly bootstrap: string;
  private readonly onLog: (fn: LambdaFunction, line: string, stream: 'stdout' | 'stderr') => void;
  constructor(
    bootstrap: string,
    onLog: (fn: LambdaFunction, line: string, stream: 'stdout' | 'stderr') => void,
  ) {
    this.bootstrap = bootstrap;
    this.onLog = onLog;
  }

  async invoke(fn: LambdaFunction, event: unknown): Promise<unknown> {
    this.invocations.set(fn.id, (this.invocations.get(fn.id) ?? 0) + 1);
    this.running++;
    try {
      return await this.run(fn, event);
    } finally {
      this.running--;
    }
  }

  /** Invocations in progress (a stopped execution does not stop its running function, as in AWS). */
  busy(): number {
    return this.running;
  }

  private async run(fn: LambdaFunction, event: unknown): Promise<unknown> {
    const worker = this.idle.get(fn.id)?.pop() ?? this.spawn(fn);
    const id = randomUUID();
    const context = {
      functionName: fn.name, functionVersion: '$LATEST', invokedFunctionArn: fn.arn, memoryLimitInMB: String(fn.memoryMb),
      awsRequestId: id, logGroupName: `/aws/lambda/${fn.name}`, logStreamName: 'stack-local', timeoutMs: fn.timeoutSeconds * 1000,
    };
    const reply = await new Promise<Reply>((resolve, reject) => {
      const timer = setTimeout(() => {
        cleanup();
        worker.child.kill('SIGKILL');
        reject(new LambdaError('Sandbox.Timedout', { errorType: 'Sandbox.Timedout', errorMessage: `RequestId: ${id} Error: Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds` }));
      }, fn.timeoutSeconds * 1000);
      const onMessage = (message: Reply) => {
        if (message.id !== id) return;
        cleanup();
        resolve(message);
      };
      const onExit = (code: number | null, signal: string | null) => {
        cleanup();
        const outOfMemory = /heap out of memory|Reached heap limit/i.test(worker.stderr);
        const errorType = outOfMemory ? 'Runtime.OutOfMemory' : 'Runtime.ExitError';
        reject(new LambdaError(errorType, { errorType, errorMessage: `RequestId: ${id} Error: Runtime exited with error: ${signal ? `signal: ${signal}` : `exit status ${code}`}` }));
      };
      const cleanup = () => {
        clearTimeout(timer);
        worker.child.off('message', onMessage).off('exit', onExit);
      };
      worker.child.on('message', onMessage).once('exit', onExit);
      worker.child.send({ id, event, context });
    });
    if (!reply.ok) {
      this.release(fn, worker);
      throw new LambdaError(reply.errorType, { errorType: reply.errorType, errorMessage: reply.errorMessage, trace: reply.trace });
    }
    this.release(fn, worker);
    return reply.payload;
  }

  /** Kills every execution environment (the stack is stopping). */
  close(): void {
    for (const child of this.all) if (child.exitCode === null) child.kill('SIGKILL');
    this.all.clear();
    this.idle.clear();
  }

  private spawn(fn: LambdaFunction): Worker {
    const child = fork(this.bootstrap, [fn.file, fn.exportName], {
      cwd: fn.taskRoot,
      env: fn.env,
      // Not this process's flags (a test runner's loaders): the function's heap is its MemorySize.
      execArgv: [`--max-old-space-size=${fn.memoryMb}`],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const worker: Worker = { child, stderr: '' };
    this.all.add(child);
    child.once('exit', () => this.all.delete(child));
    const lines = (stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr') => {
      const keep = name === 'stderr';
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        const text = rest + chunk.toString('utf8');
        if (keep) worker.stderr = (worker.stderr + chunk.toString('utf8')).slice(-4000);
        const parts = text.split('\n');
        rest = parts.pop() ?? '';
        for (const line of parts) if (line) this.onLog(fn, line, name);
      });
    };
    lines(child.stdout, 'stdout');
    lines(child.stderr, 'stderr');
    return worker;
  }

  private release(fn: LambdaFunction, worker: Worker): void {
    if (worker.child.exitCode !== null || worker.child.signalCode !== null) return;
    const list = this.idle.get(fn.id) ?? [];
    list.push(worker);
    this.idle.set(fn.id, list);
  }
}
