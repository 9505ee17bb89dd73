// LU-1 through TURN: with coturn on the machine (Debian's coturn; skipped without `turnserver`), a throw-away coturn
// with a temporary config, user database and pid file relays every packet — Koepel hands out TURN REST credentials
// and forces iceTransportPolicy 'relay' — and both sides' candidate pair in use is relay ↔ relay. coturn's log holds
// no BSN, name or appointment.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser } from '../support/browser.js';
import { freePort, startKoepel, type TestKoepel } from '../support/harness.js';
import { DEMO } from '../support/principals.js';
import {
  citizenLogin,
  DESKTOP,
  DOCTOR,
  FAKE_MEDIA,
  joinBoth,
  pageIn,
  PHONE,
  seesOther,
  selectedPair,
  staffLogin,
  videoAppointment,
  waitFor,
} from '../support/video-browser.js';

describe('video consult through TURN only (LU-1)', () => {
  let browsers: Browser[] = [];
  const contexts: BrowserContext[] = [];
  const figures: Record<string, unknown> = {};
  before(async () => {
    browsers = await Promise.all([launchBrowser(FAKE_MEDIA), launchBrowser(FAKE_MEDIA)]);
  });
  after(async () => {
    console.error(`# video figures (relay): ${JSON.stringify(figures)}`);
    for (const c of contexts) await c.close().catch(() => undefined);
    await Promise.all(browsers.map((b) => b.close()));
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
        const id = await videoAppointment(kt, 5, 15);
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
        // The browsers' pages first (their sockets end from their side), then Koepel, then coturn.
        for (const c of contexts.splice(0)) await c.close().catch(() => undefined);
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
