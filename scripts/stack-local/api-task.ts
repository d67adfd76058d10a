// The ECS task and the load balancer in front of it. The task is `node dist/main.js` with exactly the
// task definition's Environment and its Secrets (each ValueFrom read from Secrets Manager with the
// execution role's key, as the ECS agent does), plus what the stand-ins need (endpoints, the task role's
// key). The load balancer listens first (on the container port, or port 0) and forwards to whichever task
// runs, so the stack's URL outlives a task restart, as the ALB's does; like the ALB, it sends a new task
// requests only once the target group's health check (its path and matcher, from the template) passed.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Json, Template } from './template.ts';

/** Resolves once `HealthyThreshold` checks in a row answered a status the matcher accepts. */
async function healthy(port: number, check: HealthCheck): Promise<void> {
  const deadline = Date.now() + HEALTHY_WITHIN_MS;
  let passed = 0;
  let last = 'no answer';
  while (passed < check.healthyThreshold) {
    if (Date.now() > deadline) throw new Error(`the API task did not pass the target group's health check (GET ${check.path} → ${check.codes}) within ${HEALTHY_WITHIN_MS / 1000} s; last: ${last}`);
    const status = await fetch(`http://127.0.0.1:${port}${check.path}`, { signal: AbortSignal.timeout(5_000) }).then((res) => (void res.body?.cancel(), res.status), () => 0);
    last = status === 0 ? 'no answer' : String(status);
    passed = matches(status, check.codes) ? passed + 1 : 0;
    if (passed < check.healthyThreshold) await new Promise((resolve) => setTimeout(resolve, CHECK_EVERY_MS));
  }
}

export interface ContainerSpec {
  environment: Record<string, string>;
  secrets: { name: string; valueFrom: string }[];
  containerPort: number;
  taskRoleArn: string;
  executionRoleArn: string;
}

/** The target group's health check: what decides when the load balancer sends a task requests. */
export interface HealthCheck {
  path: string;
  /** The Matcher's HttpCode: "200", "200-299", "200,204". */
  codes: string;
  healthyThreshold: number;
}

/** The template's one target group's health check (the ALB's defaults where it says nothing). */
export function healthCheckOf(template: Template): HealthCheck {
  const [id, ...more] = template.ofType('AWS::ElasticLoadBalancingV2::TargetGroup');
  if (!id || more.length > 0) throw new Error(`stack:local expects one target group in the template, found ${more.length + (id ? 1 : 0)}`);
  const props = template.resolve(template.resource(id).Properties ?? {}) as Record<string, Json>;
  return {
    path: String(props.HealthCheckPath ?? '/'),
    codes: String((props.Matcher as { HttpCode?: string } | undefined)?.HttpCode ?? '200'),
    healthyThreshold: Number(props.HealthyThresholdCount ?? 5),
  };
}

/** Whether `status` is one the matcher accepts. */
export function matches(status: number, codes: string): boolean {
  return codes.split(',').some((part) => {
    const [low, high = low] = part.trim().split('-').map(Number) as [number, number?];
    return status >= low && status <= (high as number);
  });
}

/** The template's one task definition's first container, resolved. */
export function containerSpec(template: Template): ContainerSpec {
  const [id] = template.ofType('AWS::ECS::TaskDefinition');
  if (!id) throw new Error('the template has no ECS task definition');
  const props = template.resource(id).Properties ?? {};
  const container = (template.resolve(props.ContainerDefinitions) as Record<string, Json>[])[0] ?? {};
  const pairs = (container.Environment as { Name: string; Value: Json }[] | undefined) ?? [];
  return {
    environment: Object.fromEntries(pairs.map(({ Name, Value }) => [Name, String(Value)])),
    secrets: ((container.Secrets as { Name: string; ValueFrom: string }[] | undefined) ?? []).map((s) => ({ name: s.Name, valueFrom: s.ValueFrom })),
    containerPort: Number((container.PortMappings as { ContainerPort: number }[] | undefined)?.[0]?.ContainerPort ?? 8080),
    taskRoleArn: template.string(props.TaskRoleArn),
    executionRoleArn: template.string(props.ExecutionRoleArn),
  };
}

/** The task's secrets, read as the ECS agent reads them: GetSecretValue with the execution role's credentials. */
export async function readSecrets(spec: ContainerSpec, client: SecretsManagerClient): Promise<Record<string, string>> {
  const values: Record<string, string> = {};
  for (const { name, valueFrom } of spec.secrets) {
    const out = await client.send(new GetSecretValueCommand({ SecretId: valueFrom }));
    values[name] = out.SecretString ?? '';
  }
  return values;
}

export interface ApiTask {
  url: string;
  /** Stops the running task (SIGTERM, as ECS does) and starts a new one with the same environment. */
  restart(): Promise<void>;
  /** The task's output so far (JSON log lines). */
  output(): string;
  stop(): Promise<void>;
}

export interface Balancer {
  /** The stack's public URL, known before the task starts (its parameters name it). */
  url: string;
  /** Starts the task with `env` behind the balancer. */
  run(env: Record<string, string>): Promise<ApiTask>;
  stop(): Promise<void>;
}

/** How long a new task may take to pass the health check (the service's grace period is 30 s). */
const HEALTHY_WITHIN_MS = 60_000;
/** The ALB checks every HealthCheckIntervalSeconds (15 s); here a new task is checked every 100 ms. */
const CHECK_EVERY_MS = 100;

export async function startBalancer(options: { root: string; port: number; healthCheck: HealthCheck; onLine: (line: string, stream: 'stdout' | 'stderr') => void }): Promise<Balancer> {
  let target: number | undefined;
  let child: ChildProcess | undefined;
  let output = '';
  const balancer: Server = createServer((req, res) => {
    if (target === undefined) return void res.writeHead(503).end();
    const forwarded = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1', 'x-forwarded-proto': 'http' };
    const out = request({ host: '127.0.0.1', port: target, method: req.method, path: req.url, headers: forwarded }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    out.once('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    req.pipe(out);
  });
  await new Promise<void>((resolve, reject) => balancer.once('error', reject).listen(options.port, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(balancer.address() as AddressInfo).port}`;
  let env: Record<string, string> = {};

  const start = async (): Promise<void> => {
    // PORT=0: the task listens where the OS lets it and says so; the balancer forwards there.
    const proc = spawn(process.execPath, [join(options.root, 'dist/main.js')], { cwd: options.root, env: { ...env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    const reader = (stream: 'stdout' | 'stderr') => {
      let rest = '';
      return (chunk: Buffer) => {
        const text = chunk.toString('utf8');
        output += text;
        const lines = (rest + text).split('\n');
        rest = lines.pop() ?? '';
        for (const line of lines) if (line) options.onLine(line, stream);
      };
    };
    proc.stdout?.on('data', reader('stdout'));
    proc.stderr?.on('data', reader('stderr'));
    const since = output.length;
    const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`the API task exited with ${code} before it was healthy:\n${output.slice(since).slice(-4000)}`))));
    exited.catch(() => {});
    const port = await Promise.race([exited, new Promise<number>((resolve) => {
      const look = () => {
        const match = /listening on port (\d+)/.exec(output.slice(since));
        if (match) resolve(Number(match[1]));
      };
      proc.stdout?.on('data', look);
    })]);
    await Promise.race([exited, healthy(port, options.healthCheck)]);
    target = port;
  };
  const stopTask = async (): Promise<void> => {
    const proc = child;
    target = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGTERM');
    await exited;
  };
  const stop = async (): Promise<void> => {
    await stopTask();
    balancer.closeAllConnections();
    await new Promise<void>((resolve) => balancer.close(() => resolve()));
  };
  const task: ApiTask = { url, output: () => output, restart: async () => (await stopTask(), await start()), stop };
  return {
    url,
    stop,
    async run(given) {
      env = given;
      await start();
      return task;
    },
  };
}
