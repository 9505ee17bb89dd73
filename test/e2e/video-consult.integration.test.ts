// LU-1 in real browsers: two headless Chromium processes with a fake camera and microphone — the citizen (on a
// phone-sized screen) and her GP — join the room of their booked video appointment and each sees the other's picture
// playing (its size and frames counted with requestVideoFrameCallback); a reload of one side reconnects (perfect
// negotiation); another citizen and another employee of the practice are refused at the WebSocket; a room whose
// window has passed refuses both participants. With coturn on the machine, a second run forces every packet through
// a local TURN server (iceTransportPolicy 'relay') and checks that the pair in use is a relay pair.
// axe-core checks every page; none scrolls sideways at 390 px.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { SESSION_COOKIE } from '../../src/platform/session/sessions.js';
import { loginStaff } from '../../src/staff/login.testkit.js';
import { insertAppointment, staffId } from '../../src/video-consult/video.testkit.js';
import { launchBrowser } from '../support/browser.js';
import { freePort, startKoepel, type TestKoepel } from '../support/harness.js';
import { HttpClient } from '../support/http-client.js';
import { citizenId, DEMO, orgId } from '../support/principals.js';
import { check } from '../support/staff-browser.js';

const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
const DOCTOR = 'huisarts@delinde.example';
const ASSISTANT = 'assistent@delinde.example';
const MIN = 60_000;
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 900 };

/** Collects every RTCPeerConnection the page makes, for getStats() (the page script keeps its own private). */
function trackPeerConnections(): void {
  const w = window as unknown as { __pcs: RTCPeerConnection[]; RTCPeerConnection: typeof RTCPeerConnection };
  const Original = w.RTCPeerConnection;
  w.__pcs = [];
  w.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      w.__pcs.push(this);
    }
  };
}

interface Side {
  k: TestKoepel;
  page: Page;
}

/** A page in a browser process of its own, logged in with the session of an HTTP client. */
async function pageIn(
  k: TestKoepel,
  browser: Browser,
  client: HttpClient,
  viewport: { width: number; height: number },
  contexts: BrowserContext[],
): Promise<Page> {
  const context = await browser.newContext({ locale: 'nl-NL', viewport });
  contexts.push(context);
  const value = client.cookies.get(SESSION_COOKIE);
  assert.ok(value, 'logged in');
  await context.addCookies([
    {
      name: SESSION_COOKIE,
      value,
      domain: new URL(k.url).hostname,
      path: '/',
      secure: true,
      httpOnly: true,
      sameSite: 'Lax',
    },
  ]);
  await context.addInitScript(trackPeerConnections);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.text())) console.error(`[browser] ${m.text()}`);
  });
  return page;
}

const state = (page: Page) => page.locator('#video-room').getAttribute('data-state');
const connection = (page: Page) => page.locator('#video-room').getAttribute('data-connection');

async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Counts the remote picture's frames for `ms` with requestVideoFrameCallback; its size as well. */
async function remoteFrames(page: Page, ms: number): Promise<{ frames: number; width: number; height: number }> {
  return page.evaluate(async (duration) => {
    const v = document.getElementById('video-remote') as HTMLVideoElement;
    let frames = 0;
    let on = true;
    const cb = () => {
      frames++;
      if (on) v.requestVideoFrameCallback(cb);
    };
    v.requestVideoFrameCallback(cb);
    await new Promise((r) => setTimeout(r, duration));
    on = false;
    return { frames, width: v.videoWidth, height: v.videoHeight };
  }, ms);
}

/** The candidate pair in use: the local and remote candidate types (host, srflx, relay). */
async function selectedPair(page: Page): Promise<{ local: string; remote: string } | null> {
  return page.evaluate(async () => {
    const pcs = (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs;
    const pc = pcs.filter((p) => p.connectionState === 'connected').pop();
    if (!pc) return null;
    const stats = await pc.getStats();
    let pair: { local: string; remote: string } | null = null;
    stats.forEach(
      (r: {
        type: string;
        nominated?: boolean;
        state?: string;
        localCandidateId?: string;
        remoteCandidateId?: string;
      }) => {
        if (r.type === 'candidate-pair' && r.nominated && r.state === 'succeeded') {
          const l = stats.get(r.localCandidateId ?? '') as { candidateType: string } | undefined;
          const rr = stats.get(r.remoteCandidateId ?? '') as { candidateType: string } | undefined;
          if (l && rr) pair = { local: l.candidateType, remote: rr.candidateType };
        }
      },
    );
    return pair;
  });
}

/** Whether a WebSocket to this room opens from the page (the page's own origin and cookies); the close code. */
async function socketFrom(page: Page, id: string): Promise<{ opened: boolean; code: number }> {
  return page.evaluate(
    (path) =>
      new Promise<{ opened: boolean; code: number }>((resolve) => {
        const ws = new WebSocket(`ws://${location.host}${path}`);
        let opened = false;
        ws.onopen = () => {
          opened = true;
          ws.close(1000);
        };
        ws.onclose = (e) => resolve({ opened, code: e.code });
      }),
    `/video/${id}/signal`,
  );
}

/** Both sides join; returns the milliseconds from the second "Deelnemen" to both connected. */
async function joinBoth(citizen: Side, doctor: Side, id: string): Promise<number> {
  for (const s of [citizen, doctor]) {
    await s.page.goto(`${s.k.url}/video/${id}`);
    await waitFor('the camera check', async () => (await state(s.page)) === 'ready');
  }
  await citizen.page.getByRole('button', { name: 'Deelnemen' }).click();
  await waitFor('the waiting room', async () => (await state(citizen.page)) === 'waiting');
  assert.match(await citizen.page.locator('#video-status').innerText(), /U bent in de wachtkamer/);
  const t0 = Date.now();
  await doctor.page.getByRole('button', { name: 'Deelnemen' }).click();
  try {
    await waitFor(
      'both connected',
      async () => (await connection(citizen.page)) === 'connected' && (await connection(doctor.page)) === 'connected',
    );
  } catch (err) {
    for (const [who, s] of [
      ['citizen', citizen],
      ['doctor', doctor],
    ] as const) {
      const pcs = await s.page.evaluate(() =>
        (window as unknown as { __pcs: RTCPeerConnection[] }).__pcs.map((pc) => ({
          signaling: pc.signalingState,
          ice: pc.iceConnectionState,
          gathering: pc.iceGatheringState,
          connection: pc.connectionState,
        })),
      );
      console.error(`# ${who}: state ${await state(s.page)}, peer connections ${JSON.stringify(pcs)}`);
    }
    throw err;
  }
  return Date.now() - t0;
}

async function seesOther(page: Page, who: string): Promise<{ frames: number; width: number; height: number }> {
  // The first frames can take a moment after "connected" (the first key frame).
  await waitFor(`${who}: a remote picture`, () =>
    page.evaluate(() => (document.getElementById('video-remote') as HTMLVideoElement).videoWidth > 0),
  );
  const seen = await remoteFrames(page, 2000);
  assert.ok(seen.width > 0 && seen.height > 0, `${who} sees a picture of some size: ${JSON.stringify(seen)}`);
  assert.ok(seen.frames >= 10, `${who} sees the picture moving: ${JSON.stringify(seen)}`);
  const playing = await page.evaluate(() => {
    const v = document.getElementById('video-remote') as HTMLVideoElement;
    return !v.paused && (v.srcObject as MediaStream | null)?.getAudioTracks().length === 1;
  });
  assert.ok(playing, `${who}: the remote picture plays, with sound`);
  return seen;
}

describe('video consult in two browsers (LU-1)', () => {
  let k: TestKoepel;
  let browsers: Browser[] = [];
  const contexts: BrowserContext[] = [];
  let gp: string;
  let suzanne: string;
  let doctorId: string;
  const logins = new Map<string, HttpClient>();
  const figures: Record<string, unknown> = {};

  async function login(key: string, base: string, how: () => Promise<HttpClient>): Promise<HttpClient> {
    const c = await how();
    logins.set(`${base} ${key}`, c);
    return c;
  }
  const citizenLogin = async (kk: TestKoepel, bsn: string) =>
    login(bsn, kk.url, async () => {
      const c = new HttpClient(kk.url);
      assert.equal((await loginWithDigid(c, bsn)).status, 303);
      return c;
    });
  const staffLogin = async (kk: TestKoepel, email: string) =>
    login(email, kk.url, async () => (await loginStaff(kk.url, email)).client);

  before(async () => {
    k = await startKoepel();
    browsers = await Promise.all([launchBrowser(FAKE_MEDIA), launchBrowser(FAKE_MEDIA), launchBrowser(FAKE_MEDIA)]);
    gp = await orgId(k.db, DEMO.gp);
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

  const appointment = (kk: TestKoepel, startMin: number, endMin: number) =>
    insertAppointment(kk.db, {
      organisationId: gp,
      citizenId: suzanne,
      staffId: doctorId,
      start: new Date(Date.now() + startMin * MIN),
      end: new Date(Date.now() + endMin * MIN),
    });

  test('[LU-1] the citizen and her GP see and hear each other; a reload reconnects; third parties are refused', async () => {
    const [b1, b2, b3] = browsers as [Browser, Browser, Browser];
    const id = await appointment(k, 5, 15);
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
    await waitFor(
      'both connected again',
      async () => (await connection(citizen.page)) === 'connected' && (await connection(doctor.page)) === 'connected',
    );
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
      await check(who);
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
    const id = await appointment(k, -60, -50); // window ended 35 minutes ago
    const citizen = await pageIn(k, b1, await citizenLogin(k, DEMO.suzanne), PHONE, contexts);
    const doctor = await pageIn(k, b2, await staffLogin(k, DOCTOR), DESKTOP, contexts);
    for (const page of [citizen, doctor]) {
      const res = await page.goto(`${k.url}/video/${id}`);
      assert.equal(res?.status(), 404);
      await check(page);
      assert.deepEqual(await socketFrom(page, id), { opened: false, code: 1006 });
    }
  });

  const turnserver = spawnSync('which', ['turnserver']).status === 0;
  test(
    '[LU-1] through a local coturn only (iceTransportPolicy relay): the pair in use is a relay pair',
    { skip: !turnserver && 'no turnserver on this machine' },
    async () => {
      const [b1, b2] = browsers as [Browser, Browser];
      const dir = mkdtempSync(join(tmpdir(), 'koepel-turn-'));
      const port = await freePort();
      const relayBase = 40_000 + Math.floor(Math.random() * 20_000);
      const secret = randomBytes(24).toString('base64url');
      writeFileSync(
        join(dir, 'turnserver.conf'),
        [
          'listening-ip=127.0.0.1',
          'relay-ip=127.0.0.1',
          `listening-port=${port}`,
          `min-port=${relayBase}`,
          `max-port=${relayBase + 40}`,
          'use-auth-secret',
          `static-auth-secret=${secret}`,
          'realm=koepel.test',
          'fingerprint',
          'no-tls',
          'no-dtls',
          'no-cli',
          // Tests only: the peers are on loopback. Production denies loopback and private ranges (docs/operations.md).
          'allow-loopback-peers',
          `userdb=${join(dir, 'turndb')}`,
          `pidfile=${join(dir, 'turnserver.pid')}`,
          'log-file=stdout',
          'simple-log',
          '',
        ].join('\n'),
      );
      let turn: ChildProcess | undefined;
      let kt: TestKoepel | undefined;
      let log = '';
      try {
        turn = spawn('turnserver', ['-c', join(dir, 'turnserver.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
        turn.stdout?.on('data', (d: Buffer) => (log += d.toString('utf8')));
        turn.stderr?.on('data', (d: Buffer) => (log += d.toString('utf8')));
        await waitFor('coturn', async () => log.includes('Total General servers'), 10_000);
        kt = await startKoepel({
          KOEPEL_TURN_URLS: `turn:127.0.0.1:${port}?transport=udp`,
          KOEPEL_TURN_SECRET: secret,
          KOEPEL_TURN_RELAY_ONLY: 'true',
        });
        const id = await appointment(kt, 5, 15);
        const citizen = { k: kt, page: await pageIn(kt, b1, await citizenLogin(kt, DEMO.suzanne), PHONE, contexts) };
        const doctor = { k: kt, page: await pageIn(kt, b2, await staffLogin(kt, DOCTOR), DESKTOP, contexts) };
        figures.relayConnectMs = await joinBoth(citizen, doctor, id);
        figures.relayCitizenSees = await seesOther(citizen.page, 'citizen via TURN');
        figures.relayDoctorSees = await seesOther(doctor.page, 'doctor via TURN');
        const pairs = { citizen: await selectedPair(citizen.page), doctor: await selectedPair(doctor.page) };
        figures.relayPairs = pairs;
        assert.deepEqual(pairs, {
          citizen: { local: 'relay', remote: 'relay' },
          doctor: { local: 'relay', remote: 'relay' },
        });
        // coturn saw the opaque usernames only: no BSN, no name, no appointment.
        assert.doesNotMatch(log, new RegExp(`${DEMO.suzanne}|Huisman|Vries|${id}`));
        for (const page of [citizen.page, doctor.page]) await page.getByRole('button', { name: 'Verlaten' }).click();
      } finally {
        await kt?.close();
        const pid = (() => {
          try {
            return Number(readFileSync(join(dir, 'turnserver.pid'), 'utf8').trim());
          } catch {
            return turn?.pid;
          }
        })();
        if (pid) {
          try {
            process.kill(pid, 'SIGTERM');
          } catch {
            // already gone
          }
        }
        rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
