// LU-1 in real browsers: two headless Chromium processes with a fake camera and microphone — the citizen (on a
// phone-sized screen) and her GP — join the room of their booked video appointment and each sees the other's picture
// playing (its size and frames counted with requestVideoFrameCallback); a reload of one side reconnects (perfect
// negotiation); another citizen and another employee of the practice are refused at the WebSocket; a room whose
// window has passed refuses both participants. The run through TURN: video-consult-relay.integration.test.ts.
// axe-core checks the pages; none scrolls sideways at 390 px.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { staffId } from '../../src/video-consult/video.testkit.js';
import { launchBrowser } from '../support/browser.js';
import { startKoepel, type TestKoepel } from '../support/harness.js';
import { citizenId, DEMO } from '../support/principals.js';
import { check } from '../support/staff-browser.js';
import {
  ASSISTANT,
  bothConnected,
  citizenLogin,
  connection,
  DESKTOP,
  DOCTOR,
  FAKE_MEDIA,
  joinBoth,
  pageIn,
  PHONE,
  seesOther,
  selectedPair,
  socketFrom,
  staffLogin,
  state,
  videoAppointment,
  waitFor,
} from '../support/video-browser.js';

describe('video consult in two browsers (LU-1)', () => {
  let k: TestKoepel;
  let browsers: Browser[] = [];
  const contexts: BrowserContext[] = [];
  let suzanne: string;
  let doctorId: string;
  const figures: Record<string, unknown> = {};

  before(async () => {
    k = await startKoepel();
    browsers = await Promise.all([launchBrowser(FAKE_MEDIA), launchBrowser(FAKE_MEDIA), launchBrowser(FAKE_MEDIA)]);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    doctorId = await staffId(k.db, DOCTOR);
  });
  after(async () => {
    console.error(`# video figures: ${JSON.stringify(figures)}`);
    for (const c of contexts) await c.close().catch(() => undefined);
    try {
      await Promise.all(browsers.map((b) => b.close()));
    } finally {
      await k.close();
    }
  });

  test('[LU-1] the citizen and her GP see and hear each other; a reload reconnects; third parties are refused', async () => {
    const [b1, b2, b3] = browsers as [Browser, Browser, Browser];
    const id = await videoAppointment(k, 5, 15);
    const citizen = { k, page: await pageIn(k, b1, await citizenLogin(k, DEMO.suzanne), PHONE, contexts) };
    const doctor = { k, page: await pageIn(k, b2, await staffLogin(k, DOCTOR), DESKTOP, contexts) };

    // The camera check, then the waiting room: checked with axe and at 390 px.
    await citizen.page.goto(`${k.url}/video/${id}`);
    await waitFor('the camera check', async () => (await state(citizen.page)) === 'ready');
    await check(citizen.page);
    assert.match(await citizen.page.locator('#video-status').innerText(), /Uw camera en microfoon werken/);
    // Before joining only "Deelnemen" is there; the call's controls come with the call.
    const visible = async (page: Page) =>
      (await page.locator('.koepel-video-controls button:visible').allInnerTexts()).join(', ');
    assert.equal(await visible(citizen.page), 'Deelnemen');
    await citizen.page.screenshot({ path: '/tmp/koepel-video-check.png', fullPage: true });

    const connectMs = await joinBoth(citizen, doctor, id);
    figures.connectMs = connectMs;
    figures.citizenSees = await seesOther(citizen.page, 'citizen');
    figures.doctorSees = await seesOther(doctor.page, 'doctor');
    figures.pair = await selectedPair(citizen.page);
    assert.equal(await visible(citizen.page), 'Microfoon uit, Camera uit, Verlaten');
    // In the call (controls, both pictures): the citizen's phone and the doctor's desktop.
    await check(citizen.page);
    await check(doctor.page);
    await citizen.page.screenshot({ path: '/tmp/koepel-video-citizen.png', fullPage: true });
    await doctor.page.screenshot({ path: '/tmp/koepel-video-doctor.png', fullPage: true });

    // Microphone off: a toggle (aria-pressed), announced on both sides.
    const mute = citizen.page.getByRole('button', { name: 'Microfoon uit' });
    await mute.click();
    assert.equal(await mute.getAttribute('aria-pressed'), 'true');
    assert.match(await citizen.page.locator('#video-status').innerText(), /Uw microfoon staat uit/);
    await waitFor('the doctor hears of it', async () =>
      /microfoon van de ander staat uit/.test(await doctor.page.locator('#video-status').innerText()),
    );
    await mute.click();
    assert.equal(await mute.getAttribute('aria-pressed'), 'false');
    const camera = doctor.page.getByRole('button', { name: 'Camera uit' });
    await camera.click();
    assert.equal(await camera.getAttribute('aria-pressed'), 'true');
    await camera.click();

    // The doctor reloads: the citizen is back in the waiting room, then both connect again.
    const r0 = Date.now();
    await doctor.page.reload();
    await waitFor('the citizen waits again', async () => (await state(citizen.page)) === 'peerLeft');
    await waitFor('the camera check', async () => (await state(doctor.page)) === 'ready');
    await doctor.page.getByRole('button', { name: 'Deelnemen' }).click();
    await bothConnected(citizen, doctor, 'both connected again');
    figures.reloadReconnectMs = Date.now() - r0;
    figures.afterReload = {
      citizen: await seesOther(citizen.page, 'citizen after reload'),
      doctor: await seesOther(doctor.page, 'doctor after reload'),
    };

    // Third parties: another citizen, another employee of the same practice. The page is a 404 and the socket never
    // opens; the participants' call goes on.
    for (const who of [
      await pageIn(k, b3, await citizenLogin(k, DEMO.pieter), PHONE, contexts),
      await pageIn(k, b3, await staffLogin(k, ASSISTANT), DESKTOP, contexts),
    ]) {
      const res = await who.goto(`${k.url}/video/${id}`);
      assert.equal(res?.status(), 404);
      assert.deepEqual(await socketFrom(who, id), { opened: false, code: 1006 });
    }
    assert.equal(await connection(citizen.page), 'connected');

    // Leave: the doctor sees the citizen go.
    await citizen.page.getByRole('button', { name: 'Verlaten' }).click();
    assert.match(await citizen.page.locator('#video-status').innerText(), /U heeft het videoconsult verlaten/);
    await waitFor('the doctor sees her leave', async () => (await state(doctor.page)) === 'peerLeft');
    await doctor.page.getByRole('button', { name: 'Verlaten' }).click();

    // Audit: both joined and left; the citizen's access log names the doctor.
    await waitFor('the leave records', async () => {
      const rows = await k.db
        .selectFrom('audit_log')
        .select(['event_code', 'actor_id'])
        .where('resource_id', '=', id)
        .where('outcome', '=', 'success')
        .execute();
      const has = (code: string, actor: string) => rows.some((r) => r.event_code === code && r.actor_id === actor);
      return (
        has('video.join', suzanne) &&
        has('video.join', doctorId) &&
        has('video.leave', suzanne) &&
        has('video.leave', doctorId)
      );
    });
    await citizen.page.goto(`${k.url}/access-log`);
    await check(citizen.page);
    const log = await citizen.page.locator('main').innerText();
    assert.match(
      log,
      /Dr\. A\. Huisman[^\n]*\n?[^\n]*Deelgenomen aan het videoconsult|Deelgenomen aan het videoconsult/,
    );
    const row = citizen.page.locator('tr', { hasText: 'Deelgenomen aan het videoconsult' }).first();
    assert.match(await row.innerText(), /Dr\. A\. Huisman/);
    await citizen.page.screenshot({ path: '/tmp/koepel-video-access-log.png', fullPage: true });
  });

  test('[LU-1] after the appointment window the room refuses both participants', async () => {
    const [b1, b2] = browsers as [Browser, Browser];
    const id = await videoAppointment(k, -60, -50); // window ended 35 minutes ago
    const citizen = await pageIn(k, b1, await citizenLogin(k, DEMO.suzanne), PHONE, contexts);
    const doctor = await pageIn(k, b2, await staffLogin(k, DOCTOR), DESKTOP, contexts);
    for (const page of [citizen, doctor]) {
      const res = await page.goto(`${k.url}/video/${id}`);
      assert.equal(res?.status(), 404);
      assert.match(await page.locator('h1').innerText(), /niet gevonden/i);
      assert.deepEqual(await socketFrom(page, id), { opened: false, code: 1006 });
    }
  });
});
