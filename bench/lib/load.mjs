// One autocannon run against one scenario, reduced to the figures the report needs.
import autocannon from 'autocannon';

/**
 * @param scenario { server, path?, method?, headers?, body?, requests?, setupRequest? }
 * @param opts { seconds } or { amount }, and connections
 */
export async function measure(scenario, { seconds, amount, connections }) {
  const { server, path = '/', method = 'GET', headers, body, requests, setupRequest } = scenario;
  const cpuBefore = server.cpuSeconds();
  const result = await autocannon({
    url: `${server.url}${path}`,
    method,
    headers,
    body,
    connections,
    ...(amount !== undefined ? { amount } : { duration: seconds }),
    ...(requests ? { requests } : setupRequest ? { requests: [{ method, path, setupRequest }] } : {}),
  });
  const cpu = server.cpuSeconds() - cpuBefore;
  return {
    rps: result.requests.total / result.duration,
    // The server's CPU time per request: unlike req/s, it hardly moves when other processes share the core.
    cpuUs: (cpu * 1e6) / result.requests.total,
    p50: result.latency.p50,
    p97_5: result.latency.p97_5,
    p99: result.latency.p99,
    rssMB: server.rssMB(),
    failed: result.non2xx + result.errors + result.timeouts,
  };
}
