// The ECS task and the load balancer in front of it. The task is `node dist/main.js` with exactly the
// task definition's Environment and its Secrets (each ValueFrom read from Secrets Manager with the
// execution role's key, as the ECS agent does), plus what the stand-ins need (endpoints, the task role's
// key). The load balancer listens first (on the container port, or port 0) and forwards to whichever task
// runs, so the stack's URL outlives a task restart, as the ALB's does.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import type { Json, Template } from './template.js';

export interface ContainerSpec {
  environment: Record<string, string>;
  secrets: { name: string; valueFrom: string }[];
  containerPort: number;
  taskRoleArn: string;
  executionRoleArn: string;
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

export async function startBalancer(options: { root: string; port: number; onLine: (line: string) => void }): Promise<Balancer> {
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
    let rest = '';
    const onData = (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      output += text;
      const lines = (rest + text).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line) options.onLine(line);
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    const since = output.length;
    target = await new Promise<number>((resolve, reject) => {
      const look = () => {
        const match = /listening on port (\d+)/.exec(output.slice(since));
        if (match) resolve(Number(match[1]));
      };
      proc.stdout?.on('data', look);
      proc.once('exit', (code) => reject(new Error(`the API task exited with ${code} before listening:\n${output.slice(since).slice(-4000)}`)));
    });
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
