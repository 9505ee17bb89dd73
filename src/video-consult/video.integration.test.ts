// LU-1 over HTTP against a real Koepel: the room page and its WebSocket admit the citizen and the staff member of a
// booked video appointment within its window, and nobody else — another citizen, another employee of the same
// organisation, another organisation's doctor, an API client's bearer token, nobody logged in, another site (Origin).
// The socket relays only known messages, replaces a second tab, closes at the window's end; joining and leaving are
// in the audit log and the citizen's access log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { HttpClient } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { createApiClient, tokenFor } from '../fhir/ingest.testkit.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { SESSION_COOKIE } from '../platform/session/sessions.js';
import { loginStaff } from '../staff/login.testkit.js';
import { insertAppointment, openSocket, staffId, type Opened } from './video.testkit.js';

const DOCTOR = 'huisarts@delinde.example';
const ASSISTANT = 'assistent@delinde.example';
const HOSPITAL_DOCTOR = 'arts@rivierenland.example';
const MIN = 60_000;

describe('video consult: who may enter the room (LU-1)', () => {
  let k: TestKoepel;
  let gp: string;
  let suzanne: string;
  let doctorId: string;
  let now: number;
  const clients = new Map<string, HttpClient>();
  let current: string; // booked, video, now inside its window
  let past: string; // its window has ended
  let future: string; // opens in more than 10 minutes
  let notVideo: string;
  let cancelled: string;
  const open: Opened[] = [];

  const cookie = (who: string) => `${SESSION_COOKIE}=${clients.get(who)?.cookies.get(SESSION_COOKIE) ?? ''}`;
  const wsUrl = (id: string) => `${k.url.replace('http', 'ws')}/video/${id}/signal`;
  const join = async (who: string, id: string, headers: Record<string, string> = {}) => {
    const o = await openSocket(wsUrl(id), { origin: k.url, cookie: cookie(who), ...headers });
    open.push(o);
    return o;
  };
  const refusal = async (id: string, headers: Record<string, string>) =>
    openSocket(wsUrl(id), headers).then(
      (o) => {
        o.socket.close();
        return 'opened';
      },
      (err: unknown) => (err as Error).message,
    );

  before(async () => {
    k = await startKoepel();
    gp = await orgId(k.db, DEMO.gp);
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    doctorId = await staffId(k.db, DOCTOR);
    now = Date.now();
    const at = (startMin: number, endMin: number, extra: object = {}) =>
      insertAppointment(k.db, {
        organisationId: gp,
        citizenId: suzanne,
        staffId: doctorId,
        start: new Date(now + startMin * MIN),
        end: new Date(now + endMin * MIN),
        ...extra,
      });
    current = await at(5, 15);
    past = await at(-60, -50);
    future = await at(30, 40);
    notVideo = await at(-130, -120, { video: false });
    cancelled = await at(-150, -140, { status: 'cancelled' });
    for (const [who, bsn] of [
      ['suzanne', DEMO.suzanne],
      ['pieter', DEMO.pieter],
    ] as const) {
      const c = new HttpClient(k.url);
      assert.equal((await loginWithDigid(c, bsn)).status, 303);
      clients.set(who, c);
    }
    for (const email of [DOCTOR, ASSISTANT, HOSPITAL_DOCTOR])
      clients.set(email, (await loginStaff(k.url, email)).client);
  });
  after(async () => {
    for (const o of open) o.socket.close();
    await k.close();
  });

  const get = (who: string, path: string) => {
    const c = clients.get(who);
    assert.ok(c);
    return c.get(path);
  };

  test('[LU-1] the citizen and the doctor of the appointment get the room page, with camera and microphone allowed there only', async () => {
    const citizenPage = await get('suzanne', `/video/${current}`);
    assert.equal(citizenPage.status, 200);
    assert.match(citizenPage.text, /Videoconsult/);
    assert.match(citizenPage.text, /Met Dr\. A\. Huisman van Huisartsenpraktijk De Linde/);
    assert.equal(
      citizenPage.headers.get('permissions-policy'),
      'camera=(self), microphone=(self), geolocation=(), interest-cohort=()',
    );
    const csp = citizenPage.headers.get('content-security-policy') ?? '';
    assert.match(csp, new RegExp(`connect-src 'self' ${k.url.replace('http', 'ws').replace(/\./g, '\\.')};`));
    assert.match(csp, /script-src 'self';/);
    const script = /<script src="(\/assets\/video-consult\/room\.[0-9a-f]{12}\.js)" defer><\/script>/.exec(
      citizenPage.text,
    )?.[1];
    assert.ok(script, 'the page loads its one external script');
    const js = await get('suzanne', script);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);

    const doctorPage = await get(DOCTOR, `/video/${current}`);
    assert.equal(doctorPage.status, 200);
    assert.match(doctorPage.text, /Met Suzanne Maria de Vries/);

    // Everywhere else the camera and microphone stay off.
    const home = await get('suzanne', '/home');
    assert.equal(
      home.headers.get('permissions-policy'),
      'camera=(), microphone=(), geolocation=(), interest-cohort=()',
    );
    assert.doesNotMatch(home.headers.get('content-security-policy') ?? '', /ws:/);
  });

  test('[LU-1] everyone else gets a 404 for the room page (401 when nobody is logged in)', async () => {
    for (const who of ['pieter', ASSISTANT, HOSPITAL_DOCTOR]) {
      assert.equal((await get(who, `/video/${current}`)).status, 404, who);
    }
    for (const id of [past, future, notVideo, cancelled, '00000000-0000-4000-8000-000000000000', 'not-a-uuid']) {
      assert.equal((await get('suzanne', `/video/${id}`)).status, 404, id);
      assert.equal((await get(DOCTOR, `/video/${id}`)).status, 404, id);
    }
    assert.equal((await new HttpClient(k.url).get(`/video/${current}`)).status, 401);
  });

  test('[LU-1] the WebSocket refuses at the upgrade: other people, other sites, API clients, closed rooms', async () => {
    const api = await createApiClient(k.db, gp);
    const bearer = await tokenFor(k.url, api);
    const origin = k.url;
    // Admitted: the two participants, from the portal's own origin.
    const admitted = await refusal(current, { origin, cookie: cookie('suzanne') });
    assert.equal(admitted, 'opened');
    // Cross-site WebSocket hijacking: the right cookie from another origin, or with no Origin at all.
    assert.equal(await refusal(current, { origin: 'https://evil.example', cookie: cookie('suzanne') }), 'HTTP 403');
    assert.equal(await refusal(current, { cookie: cookie('suzanne') }), 'HTTP 403');
    // Other people.
    assert.equal(await refusal(current, { origin, cookie: cookie('pieter') }), 'HTTP 404');
    assert.equal(await refusal(current, { origin, cookie: cookie(ASSISTANT) }), 'HTTP 404');
    assert.equal(await refusal(current, { origin, cookie: cookie(HOSPITAL_DOCTOR) }), 'HTTP 404');
    assert.equal(await refusal(current, { origin }), 'HTTP 403');
    assert.equal(await refusal(current, { origin, authorization: `Bearer ${bearer}` }), 'HTTP 403');
    // Closed rooms, for the participants themselves.
    for (const id of [past, future, notVideo, cancelled]) {
      assert.equal(await refusal(id, { origin, cookie: cookie('suzanne') }), 'HTTP 404', id);
      assert.equal(await refusal(id, { origin, cookie: cookie(DOCTOR) }), 'HTTP 404', id);
    }
    // A plain GET of the socket's path is no page.
    assert.equal((await get('suzanne', `/video/${current}/signal`)).status, 404);
  });

  test('[LU-1] the socket relays known messages only, one socket per participant, and says who is there', async () => {
    const citizen = await join('suzanne', current);
    const welcome = await citizen.next('welcome');
    assert.deepEqual(welcome, {
      type: 'welcome',
      polite: true,
      peer: false,
      ice: { iceServers: [], iceTransportPolicy: 'all' },
    });
    const doctor = await join(DOCTOR, current);
    assert.equal((await doctor.next('welcome')).peer, true);
    await citizen.next('peer-joined');

    const offer = { type: 'sdp', description: { type: 'offer', sdp: 'v=0\r\n' } };
    doctor.socket.send(JSON.stringify({ ...offer, extra: 'dropped' }));
    assert.deepEqual(await citizen.next('sdp'), offer);
    const ice = {
      type: 'ice',
      candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 5000 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    };
    citizen.socket.send(JSON.stringify(ice));
    assert.deepEqual(await doctor.next('ice'), ice);

    // A second tab of the citizen replaces the first; the doctor sees the citizen leave and come back.
    const secondTab = await join('suzanne', current);
    assert.equal(await citizen.closed, 4409);
    assert.equal((await secondTab.next('welcome')).peer, true);
    await doctor.next('peer-left');
    await doctor.next('peer-joined');

    // Anything else closes the socket: unknown types, oversized fields, not JSON.
    secondTab.socket.send(JSON.stringify({ type: 'chat', text: 'hello' }));
    assert.equal(await secondTab.closed, 4400);
    await doctor.next('peer-left');
    const third = await join('suzanne', current);
    third.socket.send(JSON.stringify({ type: 'sdp', description: { type: 'offer', sdp: 'x'.repeat(40_000) } }));
    assert.equal(await third.closed, 4400);
    doctor.socket.close(1000);
    assert.equal(await doctor.closed, 1000);
  });

  test('[LU-1] an open socket closes when the room’s window ends', async () => {
    // Its window (end + 15 minutes) ends 3 seconds from now.
    const ending = await insertAppointment(k.db, {
      organisationId: gp,
      citizenId: suzanne,
      staffId: doctorId,
      start: new Date(Date.now() - 25 * MIN),
      end: new Date(Date.now() - 15 * MIN + 3000),
    });
    const o = await join('suzanne', ending);
    await o.next('welcome');
    const t0 = Date.now();
    assert.equal(await o.closed, 4408);
    assert.ok(Date.now() - t0 < 6000);
    assert.equal(await refusal(ending, { origin: k.url, cookie: cookie('suzanne') }), 'HTTP 404');
  });

  test('[LU-1] joining and leaving are audited, and the citizen’s access log names the doctor who joined', async () => {
    const events = await k.db
      .selectFrom('audit_log')
      .select(['event_code', 'actor_type', 'actor_id', 'outcome', 'resource_id'])
      .where('citizen_id', '=', suzanne)
      .where('event_code', 'like', 'video.%')
      .execute();
    const of = (code: string, actor: string, outcome = 'success') =>
      events.filter(
        (e) => e.event_code === code && e.actor_type === actor && e.outcome === outcome && e.resource_id === current,
      );
    assert.ok(of('video.join', 'staff').length >= 1);
    assert.ok(of('video.leave', 'staff').length >= 1);
    assert.ok(of('video.join', 'citizen').length >= 3);
    assert.ok(of('video.leave', 'citizen').length >= 3);
    assert.ok(events.some((e) => e.event_code === 'video.join' && e.outcome === 'denied'));
    // Nobody else's attempt is recorded against Suzanne: the others could not even learn whose appointment it is.
    const others = await k.db
      .selectFrom('audit_log')
      .select(['actor_id'])
      .where('event_code', 'like', 'video.%')
      .where('citizen_id', '=', suzanne)
      .where('actor_id', 'not in', [suzanne, doctorId])
      .execute();
    assert.deepEqual(others, []);

    const log = await get('suzanne', '/access-log?who=all');
    assert.equal(log.status, 200);
    assert.match(
      log.text,
      /Dr\. A\. Huisman[\s\S]*?Deelgenomen aan het videoconsult|Deelgenomen aan het videoconsult[\s\S]*?Dr\. A\. Huisman/,
    );
    assert.match(log.text, /Het videoconsult verlaten/);
  });
});
