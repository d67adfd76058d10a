// SSRF: URLs a webhook may never target, refused at registration (400 VALIDATION_ERROR naming `url`)
// and again at send time (a failed attempt with the reason, never a request).
import t from 'tap';
import { ValidationError } from '../../src/domain/errors.ts';
import type { ResolvedAddress } from '../../src/adapters/outbound-http/pinned-webhook-transport.ts';
import { webhookHarness } from '../helpers/webhook-harness.ts';

/** Names the injected resolver answers; anything else does not resolve. */
const DNS: Record<string, ResolvedAddress[]> = {
  'public.example': [{ address: '93.184.215.14', family: 4 }],
  'intranet.example': [{ address: '10.1.2.3', family: 4 }],
  'metadata.example': [{ address: '169.254.169.254', family: 4 }],
  'mixed.example': [{ address: '93.184.215.14', family: 4 }, { address: '192.168.0.10', family: 4 }],
  'v6-private.example': [{ address: 'fd12:3456::1', family: 6 }],
  'mapped.example': [{ address: '::ffff:10.0.0.1', family: 6 }],
  'localhost.example': [{ address: '127.0.0.1', family: 4 }],
};
const resolve = async (host: string) => {
  const answer = DNS[host];
  if (!answer) throw new Error('ENOTFOUND');
  return answer;
};

const REFUSED: [string, RegExp][] = [
  ['http://public.example/hook', /https/],
  ['ftp://public.example/hook', /https/],
  ['https://user:pass@public.example/hook', /credentials/],
  ['https://public.example:8080/hook', /port/],
  ['https://public.example:22/hook', /port/],
  ['not a url', /valid/],
  [`https://public.example/${'a'.repeat(2100)}`, /2048/],
  ['https://127.0.0.1/hook', /loopback/],
  ['https://127.1.2.3/hook', /loopback/],
  ['https://[::1]/hook', /loopback/],
  ['https://[::ffff:127.0.0.1]/hook', /loopback/],
  ['https://2130706433/hook', /loopback/], // decimal 127.0.0.1
  ['https://0x7f000001/hook', /loopback/], // hex
  ['https://0177.0.0.1/hook', /loopback/], // octal
  ['https://0x7f.1/hook', /loopback/],
  ['https://0.0.0.0/hook', /this-network/],
  ['https://10.0.0.1/hook', /private/],
  ['https://012.0.0.1/hook', /private/], // octal 10.0.0.1
  ['https://172.16.5.4/hook', /private/],
  ['https://172.31.255.255/hook', /private/],
  ['https://192.168.1.1/hook', /private/],
  ['https://3232235777/hook', /private/], // decimal 192.168.1.1
  ['https://169.254.169.254/latest/meta-data/', /link-local/],
  ['https://0xa9fea9fe/hook', /link-local/], // hex 169.254.169.254
  ['https://100.64.0.1/hook', /CGNAT/],
  ['https://100.100.100.200/hook', /CGNAT/],
  ['https://224.0.0.1/hook', /multicast/],
  ['https://239.255.255.250/hook', /multicast/],
  ['https://255.255.255.255/hook', /reserved/],
  ['https://[fe80::1]/hook', /link-local/],
  ['https://[fc00::1]/hook', /unique-local/],
  ['https://[fd00:ec2::254]/hook', /unique-local/],
  ['https://[ff02::1]/hook', /multicast/],
  ['https://[::ffff:10.0.0.1]/hook', /private/],
  ['https://[::ffff:a9fe:a9fe]/hook', /link-local/],
  ['https://[64:ff9b::a00:1]/hook', /private/],
  ['https://[2002:c0a8:101::1]/hook', /private/],
  ['https://[::]/hook', /unspecified/],
  ['https://intranet.example/hook', /private/],
  ['https://metadata.example/hook', /link-local/],
  ['https://mixed.example/hook', /private/],
  ['https://v6-private.example/hook', /unique-local/],
  ['https://mapped.example/hook', /private/],
  ['https://localhost.example/hook', /loopback/],
  ['https://nowhere.example/hook', /does not resolve/],
];

t.test(`${REFUSED.length} URLs are refused at registration, naming url`, async (t) => {
  const h = webhookHarness({ resolve, allowLoopback: false });
  for (const [url, reason] of REFUSED) {
    const err = await h.manage.create('alice', { url }).then(() => undefined, (e: unknown) => e);
    t.ok(err instanceof ValidationError, `${url.slice(0, 60)} refused`);
    t.match(err, { code: 'VALIDATION_ERROR', details: { field: 'url' }, message: reason }, url.slice(0, 60));
  }
  t.same(await h.manage.list('alice'), [], 'nothing was stored');
  t.match(await h.manage.create('alice', { url: 'https://public.example/hook' }), { url: 'https://public.example/hook' }, 'a public https URL is taken');
  t.match(await h.manage.create('alice', { url: 'https://public.example:8443/hook' }), { enabled: true }, 'and port 8443');
});

t.test('loopback is allowed only with WEBHOOK_ALLOW_LOOPBACK, and then only loopback', async (t) => {
  const h = webhookHarness({ resolve, allowLoopback: true });
  t.ok(await h.manage.create('alice', { url: 'http://127.0.0.1:9999/hook' }));
  t.ok(await h.manage.create('alice', { url: 'https://localhost.example:1234/hook' }));
  await t.rejects(h.manage.create('alice', { url: 'http://public.example/hook' }), { details: { field: 'url' }, message: /https/ });
  await t.rejects(h.manage.create('alice', { url: 'https://10.0.0.1/hook' }), { message: /private/ });
});

t.test('DNS that changes after registration: the send is refused, a failed attempt with the reason, no request', async (t) => {
  const answers: Record<string, ResolvedAddress[]> = { 'rebind.example': [{ address: '93.184.215.14', family: 4 }] };
  const h = webhookHarness({ allowLoopback: false, resolve: async (host) => answers[host] ?? [] });
  const endpoint = await h.manage.create('alice', { url: 'https://rebind.example/hook', events: ['job.created'] });
  answers['rebind.example'] = [{ address: '169.254.169.254', family: 4 }];
  await h.runJob('alice', false);
  await h.drain();
  const [delivery] = (await h.log.list('alice', endpoint.id, 1)).deliveries;
  t.match(delivery, { outcome: 'pending', attempts: 1, lastError: /^refused: url resolves to 169\.254\.169\.254/ });
  t.notOk(delivery && 'lastStatusCode' in delivery && delivery.lastStatusCode !== undefined, 'no response: no request was made');
});
