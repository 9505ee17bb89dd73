// The video consult's browser journeys (test/e2e/video-consult*.integration.test.ts): Chromium with a fake camera
// and microphone, pages logged in with an HTTP client's session, and what the tests read of a room (its state, the
// remote picture's frames, the candidate pair in use, whether a WebSocket opens).
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { loginWithDigid } from '../../src/identity/digid/test-driver.js';
import { loginStaff } from '../../src/staff/login.testkit.js';
import { insertAppointment, staffId } from '../../src/video-consult/video.testkit.js';
import { carrySession } from './browser.js';
import type { TestKoepel } from './harness.js';
import { HttpClient } from './http-client.js';
import { citizenId, DEMO, orgId } from './principals.js';

export const FAKE_MEDIA = ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'];
export const DOCTOR = 'huisarts@delinde.example';
export const ASSISTANT = 'assistent@delinde.example';
export const MIN = 60_000;
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1280, height: 900 };

/**
 * Collects every RTCPeerConnection the page makes, for getStats() (the page script keeps its own private), and keeps
 * a short log of what happened to them and of the signalling messages' types, for a failure's message.
 */
export function trackPeerConnections(): void {
  const w = window as unknown as {
    __pcs: RTCPeerConnection[];
    __log: string[];
    RTCPeerConnection: typeof RTCPeerConnection;
    WebSocket: typeof WebSocket;
  };
  const Original = w.RTCPeerConnection;
  w.__pcs = [];
  w.__log = [];
  const log = (line: string) => w.__log.push(`${Math.round(performance.now())} ${line}`);
  w.RTCPeerConnection = class extends Original {
    constructor(config?: RTCConfiguration) {
      super(config);
      const n = w.__pcs.push(this);
      log(`pc${n} new`);
      this.addEventListener('signalingstatechange', () => log(`pc${n} signaling ${this.signalingState}`));
      this.addEventListener('connectionstatechange', () => log(`pc${n} connection ${this.connectionState}`));
      for (const m of ['setLocalDescription', 'setRemoteDescription', 'addIceCandidate'] as const) {
        const original = this[m].bind(this) as (...a: unknown[]) => Promise<void>;
        (this as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
          const kind = (a[0] as { type?: string } | undefined)?.type ?? '';
          return original(...a).then(
            () => log(`pc${n} ${m} ${kind} ok`),
            (err: unknown) => {
              log(`pc${n} ${m} ${kind} failed: ${String(err)}`);
              throw err;
            },
          );
        };
      }
    }
  };
  const OriginalSocket = w.WebSocket;
  w.WebSocket = class extends OriginalSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      this.addEventListener('message', (e: MessageEvent) => {
        const type = /"type":"([a-z-]+)"/.exec(String(e.data))?.[1] ?? '?';
        const sub = /"description":\{"type":"([a-z]+)"/.exec(String(e.data))?.[1] ?? '';
        log(`ws in ${type} ${sub}`);
      });
      this.addEventListener('close', (e: CloseEvent) => log(`ws closed ${e.code}`));
    }
    override send(data: string): void {
      const type = /"type":"([a-z-]+)"/.exec(data)?.[1] ?? '?';
      const sub = /"description":\{"type":"([a-z]+)"/.exec(data)?.[1] ?? '';
      log(`ws out ${type} ${sub}`);
      super.send(data);
    }
  };
}

/** The page's log of peer connections and signalling (trackPeerConnections). */
export async function roomLog(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { __log: string[] }).__log.join('\n'));
}

/** Waits until both sides are connected; on a time-out, the failure carries both pages' logs. */
export async function bothConnected(citizen: Side, doctor: Side, what: string): Promise<void> {
  try {
    await waitFor(
      what,
      async () => (await connection(citizen.page)) === 'connected' && (await connection(doctor.page)) === 'connected',
    );
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\n--- citizen\n${await roomLog(citizen.page)}\n--- doctor\n${await roomLog(doctor.page)}`,
    );
  }
}

export interface Side {
  k: TestKoepel;
  page: Page;
}

/** A page in a browser process of its own, logged in with the session of an HTTP client. */
export async function pageIn(
  k: TestKoepel,
  browser: Browser,
  client: HttpClient,
  viewport: { width: number; height: number },
  contexts: BrowserContext[],
): Promise<Page> {
  const context = await browser.newContext({ locale: 'nl-NL', viewport });
  contexts.push(context);
  await carrySession(context, k.url, client);
  await context.addInitScript(trackPeerConnections);
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error' && !/favicon/.test(m.text())) console.error(`[browser] ${m.text()}`);
  });
  return page;
}

export const state = (page: Page) => page.locator('#video-room').getAttribute('data-state');
export const connection = (page: Page) => page.locator('#video-room').getAttribute('data-connection');

export async function waitFor(what: string, ok: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Counts the remote picture's frames for `ms` with requestVideoFrameCallback; its size as well. */
export async function remoteFrames(page: Page, ms: number): Promise<{ frames: number; width: number; height: number }> {
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
export async function selectedPair(page: Page): Promise<{ local: string; remote: string } | null> {
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
export async function socketFrom(page: Page, id: string): Promise<{ opened: boolean; code: number }> {
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
export async function joinBoth(citizen: Side, doctor: Side, id: string): Promise<number> {
  for (const s of [citizen, doctor]) {
    await s.page.goto(`${s.k.url}/video/${id}`);
    await waitFor('the camera check', async () => (await state(s.page)) === 'ready');
  }
  await citizen.page.getByRole('button', { name: 'Deelnemen' }).click();
  await waitFor('the waiting room', async () => (await state(citizen.page)) === 'waiting');
  assert.match(await citizen.page.locator('#video-status').innerText(), /U bent in de wachtkamer/);
  const t0 = Date.now();
  await doctor.page.getByRole('button', { name: 'Deelnemen' }).click();
  await bothConnected(citizen, doctor, 'both connected');
  return Date.now() - t0;
}

export async function seesOther(page: Page, who: string): Promise<{ frames: number; width: number; height: number }> {
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

/** A citizen logged in over HTTP (DigiD simulator). */
export async function citizenLogin(k: TestKoepel, bsn: string): Promise<HttpClient> {
  const c = new HttpClient(k.url);
  assert.equal((await loginWithDigid(c, bsn)).status, 303);
  return c;
}

/** A staff member logged in over HTTP (password and TOTP). */
export async function staffLogin(k: TestKoepel, email: string): Promise<HttpClient> {
  return (await loginStaff(k.url, email)).client;
}

/** A booked video appointment of Suzanne with the GP's doctor, minutes from now. */
export async function videoAppointment(k: TestKoepel, startMin: number, endMin: number): Promise<string> {
  return insertAppointment(k.db, {
    organisationId: await orgId(k.db, DEMO.gp),
    citizenId: await citizenId(k.db, k.koepel.keys, DEMO.suzanne),
    staffId: await staffId(k.db, DOCTOR),
    start: new Date(Date.now() + startMin * MIN),
    end: new Date(Date.now() + endMin * MIN),
  });
}
