/** The web UI's hours in the source's zone (src/ui/format/source-zone.ts) and its server sentences for people (api-message.ts). */
import { afterEach, describe, expect, it } from 'vitest';
import { forPeople } from '../../src/ui/format/api-message.js';
import { displayHour } from '../../src/ui/format/hour-label.js';
import { previousSourceHour, setSourceZone } from '../../src/ui/format/source-zone.js';

afterEach(() => setSourceZone(''));

describe('hours in the source zone', () => {
  it('takes the previous hour as the source zone counts hours, not UTC', () => {
    const now = new Date('2026-12-06T00:30:00Z');
    expect(previousSourceHour('Europe/Berlin', now)).toEqual({ date: '2026-12-06', hour: 0 });
    expect(previousSourceHour('UTC', now)).toEqual({ date: '2026-12-05', hour: 23 });
    expect(previousSourceHour('America/New_York', now)).toEqual({ date: '2026-12-05', hour: 18 });
    // Summer time: Berlin is UTC+2.
    expect(previousSourceHour('Europe/Berlin', new Date('2019-06-01T15:10:00Z'))).toEqual({ date: '2019-06-01', hour: 16 });
  });

  it('names the source zone on an hour label once the server said it', () => {
    expect(displayHour('2019-06-01T15')).toBe('2019-06-01 15:00');
    setSourceZone('Europe/Berlin');
    expect(displayHour('2019-06-01T15')).toBe('2019-06-01 15:00 Europe/Berlin');
    expect(displayHour('not an hour')).toBe('not an hour');
  });
});

describe('server sentences for people', () => {
  it("drops the JSON API's syntax hint and keeps what is wrong", () => {
    expect(forPeople('hour: must be YYYY-MM-DDTHH; send {"hour": "2019-06-01T15"}')).toBe('hour: must be YYYY-MM-DDTHH');
    expect(forPeople('the body is not JSON: send {"sql": "SELECT …"}')).toBe('the body is not JSON');
    expect(forPeople('the warehouse refused the query: it holds 2 statements; send one at a time')).toBe('the warehouse refused the query: it holds 2 statements; send one at a time');
  });
});
