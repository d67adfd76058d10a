/**
 * Headers for a JSON API: exactly what helmet 8 (through @fastify/helmet 13) sends with this app's
 * options — no Content-Security-Policy (the HTML pages, docs UI and try-it page, set their own),
 * Cross-Origin-Resource-Policy `cross-origin` (the web app reads JSON and videos cross-origin; CORS
 * decides who), HSTS only behind HTTPS. They never vary per request, so they are one frozen object:
 * @fastify/helmet rebuilt helmet's middleware from its options on every request, ~5 % of an
 * authenticated GET's CPU in the profile (docs/performance.md). The request-context plugin sets them,
 * with x-request-id, in its one onRequest hook, so 404s and errors carry them too.
 */
export function securityHeaders(hsts: boolean): Readonly<Record<string, string>> {
  return Object.freeze({
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'cross-origin',
    'origin-agent-cluster': '?1',
    'referrer-policy': 'no-referrer',
    ...(hsts ? { 'strict-transport-security': 'max-age=31536000; includeSubDomains' } : {}),
    'x-content-type-options': 'nosniff',
    'x-dns-prefetch-control': 'off',
    'x-download-options': 'noopen',
    'x-frame-options': 'SAMEORIGIN',
    'x-permitted-cross-domain-policies': 'none',
    'x-xss-protection': '0',
  });
}
