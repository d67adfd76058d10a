// The spend limit under a burst, through the HTTP app, on the in-memory, SQLite and DynamoDB (dynalite)
// adapters: each job's estimated cost is reserved in the same conditional write as its quota unit.
import t from 'tap';
import { FAMILIES, buildRaceApp } from './fixtures/apps.ts';

for (const family of FAMILIES) {
  t.test(`${family}: 50 concurrent creates against a spend limit: the month's spend is exact`, async (t) => {
    // Kling, 5 s, 9:16 (ad-creative's defaults) is 0.35 USD: 3.50 USD lets exactly ten through.
    const race = await buildRaceApp(t, family, { quotaPerMonth: 1000, spendLimitUsdPerMonth: 3.5 });
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => race.app.inject({
      method: 'POST', url: '/api/v1/jobs', headers: race.auth('dana'), payload: { prompt: `Burst job number ${i}, an ad`, category: 'ad-creative' },
    })));
    const accepted = results.filter((r) => r.statusCode === 202);
    const refused = results.filter((r) => r.statusCode === 429);
    t.equal(accepted.length, 10, 'exactly the jobs the limit pays for');
    t.equal(refused.length, 40);
    t.match(refused[0]?.json(), { code: 'QUOTA_EXCEEDED', details: { limit: 'spend', limitUsd: 3.5, costUsd: 0.35 } });
    const usage = (await race.app.inject({ method: 'GET', url: '/api/v1/usage', headers: race.auth('dana') })).json();
    t.match(usage, { used: 10, spentUsd: 3.5, spendLimitUsd: 3.5 });
    const cheaper = await race.app.inject({ method: 'POST', url: '/api/v1/jobs', headers: race.auth('erin'), payload: { prompt: 'One cheap clip, please', category: 'ad-creative', model: 'bytedance/seedance-1-lite', resolution: '480p' } });
    t.equal(cheaper.statusCode, 202, 'the limit is per user');
    t.match((await race.app.inject({ method: 'GET', url: '/api/v1/usage', headers: race.auth('erin') })).json(), { used: 1, spentUsd: 0.09 });
  });
}
