/**
 * The login page of a server started with EVENTLAKE_TOKEN: every API call answers 401 until the
 * token is given once; a wrong one is refused in one sentence; the right one sets an HttpOnly
 * cookie (the page never holds the token) and shows the runs; logging out asks again, and the
 * old cookie, put back, no longer lets anyone in.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { screenshot, type WatchedPage } from './browser-page.js';
import { servedPage } from './served-page.js';

const TOKEN = 'a-long-enough-test-token-1234567890';
const app = servedPage({ env: { EVENTLAKE_TOKEN: TOKEN } });
let url: string;
let watched: WatchedPage;
let page: Page;
beforeAll(() => {
  ({ url, watched, page } = app);
});

describe('the login page', () => {
  it('refuses a wrong token, lets the right one in with an HttpOnly cookie, and asks again after logging out', async () => {
    await page.goto(url);
    await page.getByTestId('login-page').waitFor();
    await screenshot(page, 'login');

    await page.getByTestId('login-submit').click();
    expect(await page.getByTestId('login-error').textContent()).toMatch(/EVENTLAKE_TOKEN/);

    await page.getByTestId('login-token').fill(`${TOKEN}x`);
    await page.getByTestId('login-submit').click();
    await page.waitForSelector('[data-testid="login-submit"]:not([disabled])');
    expect(await page.getByTestId('login-error').textContent()).toMatch(/not the token/);
    await page.getByTestId('login-token').fill('"; DROP TABLE runs; --\u0000💥');
    await page.getByTestId('login-submit').click();
    await page.waitForSelector('[data-testid="login-submit"]:not([disabled])');
    expect(await page.getByTestId('login-error').textContent()).toMatch(/not the token/);
    expect(await page.getByTestId('runs-page').count()).toBe(0);

    await page.getByTestId('login-token').fill(TOKEN);
    await page.getByTestId('login-submit').click();
    await page.getByTestId('runs-page').waitFor();
    await page.getByTestId('hour-grid-empty').waitFor();
    await page.getByTestId('server-facts').waitFor();

    // The page holds no token: the cookie is HttpOnly, nothing is stored.
    const held = await page.evaluate(() => ({ cookie: document.cookie, local: localStorage.length, session: sessionStorage.length, html: document.documentElement.outerHTML }));
    expect(held).toMatchObject({ cookie: '', local: 0, session: 0 });
    expect(held.html).not.toContain(TOKEN);
    const cookies = await page.context().cookies();
    expect(cookies.length).toBeGreaterThan(0);
    expect(cookies.every((c) => c.httpOnly)).toBe(true);
    expect(cookies.some((c) => c.value.includes(TOKEN))).toBe(false);

    // Other pages load with the cookie.
    await page.getByTestId('nav-dlq').click();
    await page.getByTestId('dead-letters-empty').waitFor();

    await page.getByTestId('logout').click();
    await page.getByTestId('login-page').waitFor();
    await page.reload();
    await page.getByTestId('login-page').waitFor();
    // The session ended on the server: its cookie, put back into the browser, lets nobody in.
    await page.context().addCookies(cookies);
    await page.reload();
    await page.getByTestId('login-page').waitFor();
    expect(await page.getByTestId('runs-page').count()).toBe(0);
    expect(watched.problems).toEqual([]);
  }, 120_000);
});
