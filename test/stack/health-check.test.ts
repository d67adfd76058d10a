// The load balancer stand-in's reading of the target group's Matcher (no stack is started here).
import t from 'tap';
import { matches } from '../../scripts/stack-local/api-task.ts';

t.test('a Matcher HttpCode is one code, a range, or a list of either', async (t) => {
  t.ok(matches(200, '200'));
  t.notOk(matches(204, '200'));
  t.notOk(matches(0, '200'), 'no answer is never healthy');
  t.ok(matches(204, '200-299'));
  t.notOk(matches(302, '200-299'));
  t.ok(matches(302, '200, 301-302'));
  t.notOk(matches(503, '200,301-302'));
});
