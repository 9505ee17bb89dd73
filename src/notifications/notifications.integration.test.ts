// E-mail notifications (issue 14, MG-10) and the citizen's contact details (PZ-3) against a real Koepel and a real
// SMTP server in this process (smtp-server on 127.0.0.1, a random port), reading what arrives with mailparser: the
// confirmation link for a new address; each of the eleven events switched on and off; no medical content in any
// mail; change and removal; the SMTP server down for a while (queued, retried, delivered once); a 550 recipient
// (retried, then dead, the address marked as bouncing); bad input; one citizen against another; Dutch and English.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { testRpKeySet } from '../../test/support/digid-keys.js';
import { startKoepel, type TestKoepel } from '../../test/support/harness.js';
import { pageText } from '../../test/support/html.js';
import { csrfFrom, HttpClient } from '../../test/support/http-client.js';
import { citizenId, DEMO, orgId } from '../../test/support/principals.js';
import { loginWithDigid } from '../identity/digid/test-driver.js';
import { loadConfig } from '../platform/config.js';
import { withPrincipal, type Principal } from '../platform/db/principal.js';
import { enqueueJob } from '../platform/jobs/queue.js';
import { EMAIL_NOTIFICATION_JOB, NOTIFICATION_EVENTS, queueNotification, type NotificationEvent } from './events.js';
import { DEFAULT_EVENTS, parseEmail, parsePhone } from './settings.js';
import { renderConfirmation, renderNotification } from './templates.js';

const JOBS: Principal = { kind: 'system', purpose: 'jobs' };

/** An SMTP server on loopback that keeps what it receives; refused recipients get a 550. */
class Inbox {
  readonly mails: ParsedMail[] = [];
  readonly refuse = new Set<string>();
  private server: SMTPServer | null = null;
  port = 0;

  async start(port = 0): Promise<void> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo: (address, _session, cb) => {
        if (this.refuse.has(address.address.toLowerCase())) {
          cb(Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }));
        } else cb();
      },
      onData: (stream, _session, cb) => {
        simpleParser(stream)
          .then((mail) => {
            this.mails.push(mail);
            cb();
          })
          .catch(cb);
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = null;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  to(address: string): ParsedMail[] {
    return this.mails.filter((m) => (Array.isArray(m.to) ? m.to : [m.to]).some((a) => a?.text.includes(address)));
  }
}

const all = (m: ParsedMail) => `${m.subject ?? ''}\n${m.text ?? ''}\n${typeof m.html === 'string' ? m.html : ''}`;

describe('e-mail notifications (MG-10) and contact details (PZ-3)', () => {
  const inbox = new Inbox();
  let k: TestKoepel;
  let suzanne: string;
  let pieter: string;
  let s: HttpClient;
  let p: HttpClient;
  const SUZANNE_MAIL = 'suzanne.mail@voorbeeld.nl';
  const PIETER_MAIL = 'pieter@voorbeeld.nl';

  before(async () => {
    await inbox.start();
    k = await startKoepel({ SMTP_URL: `smtp://127.0.0.1:${inbox.port}`, MAIL_FROM: 'Koepel <noreply@portaal.test>' });
    suzanne = await citizenId(k.db, k.koepel.keys, DEMO.suzanne);
    pieter = await citizenId(k.db, k.koepel.keys, DEMO.pieter);
    s = new HttpClient(k.url);
    p = new HttpClient(k.url);
    assert.equal((await loginWithDigid(s, DEMO.suzanne)).status, 303);
    assert.equal((await loginWithDigid(p, DEMO.pieter)).status, 303);
  });
  after(async () => {
    await k.close();
    await inbox.stop();
  });

  async function form(c: HttpClient): Promise<string> {
    const page = await c.get('/settings/notifications');
    assert.equal(page.status, 200, pageText(page.text).slice(0, 300));
    return csrfFrom(page.text);
  }

  async function supply(c: HttpClient, email: string) {
    return c.post('/settings/notifications/email', { _csrf: await form(c), email });
  }

  /** The token in the last confirmation mail to this address. */
  function tokenIn(address: string): string {
    const mails = inbox.to(address).filter((m) => /Bevestig|Confirm/.test(m.subject ?? ''));
    const last = mails.at(-1);
    assert.ok(last, `a confirmation mail to ${address}`);
    const token = /\/settings\/email\/confirm\?token=([A-Za-z0-9_-]{43})/.exec(last.text ?? '')?.[1];
    assert.ok(token, 'a link with a token');
    return token;
  }

  async function confirm(c: HttpClient, token: string) {
    const page = await c.get(`/settings/email/confirm?token=${token}`);
    if (page.status !== 200) return page;
    return c.post('/settings/email/confirm', { _csrf: csrfFrom(page.text), token });
  }

  async function setSwitches(c: HttpClient, events: readonly string[], language = 'nl') {
    const body = new URLSearchParams([
      ['_csrf', await form(c)],
      ['language', language],
      ...events.map((e) => ['events', e]),
    ]);
    return c.request('POST', '/settings/notifications/events', body.toString(), {
      'content-type': 'application/x-www-form-urlencoded',
    });
  }

  async function notify(citizen: string, event: NotificationEvent, extra: Record<string, string> = {}) {
    return withPrincipal(k.db, { kind: 'anonymous' }, (tx) =>
      Object.keys(extra).length > 0
        ? enqueueJob(tx, EMAIL_NOTIFICATION_JOB, { citizenId: citizen, event, ...extra })
        : queueNotification(tx, citizen, event),
    );
  }

  async function jobRow(id: string) {
    return withPrincipal(k.db, JOBS, (tx) =>
      tx
        .selectFrom('job')
        .selectAll()
        .where('id', '=', Number(id) as never)
        .executeTakeFirstOrThrow(),
    );
  }

  /** Makes every queued job due now (the back-off would wait seconds to minutes). */
  async function dueNow() {
    await withPrincipal(k.db, JOBS, (tx) =>
      tx.updateTable('job').set({ run_at: new Date() }).where('state', '=', 'queued').execute(),
    );
  }

  test('[PZ-3] [MG-10] a new address gets a confirmation link; no mail before it is confirmed; after it, mail', async () => {
    const res = await supply(s, '  suzanne.mail@Voorbeeld.NL  ');
    assert.equal(res.status, 303);
    assert.equal(res.location, '/settings/notifications?notice=email-supplied');
    // Sealed at rest: the address is nowhere in the row in the clear.
    const row = await withPrincipal(k.db, { kind: 'system', purpose: 'email' }, (tx) =>
      tx.selectFrom('notification_setting').selectAll().where('citizen_id', '=', suzanne).executeTakeFirstOrThrow(),
    );
    assert.equal(row.email_ciphertext, null);
    assert.ok(row.pending_email_ciphertext);
    assert.ok(!Buffer.from(row.pending_email_ciphertext).toString('latin1').includes('voorbeeld'));
    // The job carries ids only.
    const jobs = await withPrincipal(k.db, JOBS, (tx) => tx.selectFrom('job').select('payload').execute());
    assert.ok(!JSON.stringify(jobs).includes('voorbeeld'));

    // An event before confirmation: nothing goes to the unconfirmed address.
    await notify(suzanne, 'message-from-provider');
    await k.koepel.jobs.runUntilIdle();
    const before = inbox.to('suzanne.mail@voorbeeld.nl');
    assert.equal(before.length, 1, 'only the confirmation mail');
    assert.match(before[0]?.subject ?? '', /Bevestig uw e-mailadres/);
    const page = await s.get('/settings/notifications');
    assert.match(pageText(page.text), /Wacht op bevestiging/);

    const token = tokenIn('suzanne.mail@voorbeeld.nl');
    // Another citizen cannot use it, and it stays usable for its owner.
    const stolen = await confirm(p, token);
    assert.equal(stolen.status, 400);
    assert.match(pageText(stolen.text), /werkt niet/);
    const ok = await confirm(s, token);
    assert.equal(ok.status, 303);
    assert.equal(ok.location, '/settings/notifications?notice=email-confirmed');
    // Used once: a second time fails cleanly.
    assert.equal((await confirm(s, token)).status, 400);
    // Garbage fails cleanly.
    assert.equal((await s.get('/settings/email/confirm?token=abc')).status, 400);
    assert.equal((await confirm(s, 'A'.repeat(43))).status, 400);

    const shown = pageText((await s.get('/settings/notifications')).text);
    assert.match(shown, /suzanne\.mail@voorbeeld\.nl/);
    assert.doesNotMatch(pageText((await p.get('/settings/notifications')).text), /suzanne/);

    await notify(suzanne, 'message-from-provider');
    await k.koepel.jobs.runUntilIdle();
    const mail = inbox.to(SUZANNE_MAIL).at(-1);
    assert.match(mail?.subject ?? '', /Nieuw bericht van uw zorgverlener/);
    assert.match(mail?.text ?? '', /\/messages/);
    assert.match(mail?.messageId ?? '', /^<koepel-job-\d+@/);
  });

  test('[PZ-3] an expired link fails cleanly', async () => {
    assert.equal((await supply(p, PIETER_MAIL)).status, 303);
    await k.koepel.jobs.runUntilIdle();
    const token = tokenIn(PIETER_MAIL);
    // k.db is the database owner: move the link's end into the past.
    await k.db
      .updateTable('notification_setting')
      .set({ confirm_expires_at: new Date(Date.now() - 1000) })
      .where('citizen_id', '=', pieter)
      .execute();
    const r = await confirm(p, token);
    assert.equal(r.status, 400);
    assert.match(pageText(r.text), /werkt niet/);
    // The settings page no longer shows an expired pending address; a fresh one gets a new link that works.
    assert.doesNotMatch(pageText((await p.get('/settings/notifications')).text), /Wacht op bevestiging/);
    assert.equal((await supply(p, PIETER_MAIL)).status, 303);
    await k.koepel.jobs.runUntilIdle();
    const fresh = tokenIn(PIETER_MAIL);
    assert.notEqual(fresh, token);
    assert.equal((await confirm(p, fresh)).status, 303);
  });

  test('[MG-10] each of the eleven events: switched on, a mail arrives; switched off, none', async () => {
    // Defaults: everything but "record changed" is on.
    assert.deepEqual([...DEFAULT_EVENTS].sort(), NOTIFICATION_EVENTS.filter((e) => e !== 'record-changed').sort());
    assert.equal((await setSwitches(s, NOTIFICATION_EVENTS)).status, 303);
    for (const event of NOTIFICATION_EVENTS) {
      const before = inbox.to(SUZANNE_MAIL).length;
      await notify(suzanne, event);
      await k.koepel.jobs.runUntilIdle();
      const got = inbox.to(SUZANNE_MAIL);
      assert.equal(got.length, before + 1, `${event}: one mail when on`);
      assert.ok(got.at(-1)?.html, `${event}: an HTML part`);
      assert.ok(got.at(-1)?.text, `${event}: a plain-text part`);
    }
    assert.equal((await setSwitches(s, [])).status, 303);
    const before = inbox.to(SUZANNE_MAIL).length;
    const ids: string[] = [];
    for (const event of NOTIFICATION_EVENTS) ids.push((await notify(suzanne, event)) ?? '');
    await k.koepel.jobs.runUntilIdle();
    assert.equal(inbox.to(SUZANNE_MAIL).length, before, 'no mail when off');
    for (const id of ids) assert.equal((await jobRow(id)).state, 'done', 'skipped silently: the job is done');
    // One switch on, the others off.
    assert.equal((await setSwitches(s, ['appointment-soon'])).status, 303);
    await notify(suzanne, 'appointment-made');
    await notify(suzanne, 'appointment-soon');
    await k.koepel.jobs.runUntilIdle();
    assert.equal(inbox.to(SUZANNE_MAIL).length, before + 1);
    assert.match(inbox.to(SUZANNE_MAIL).at(-1)?.subject ?? '', /binnenkort/);
    assert.equal((await setSwitches(s, NOTIFICATION_EVENTS)).status, 303);
  });

  test('[MG-10] no medical content reaches a mail: templates and jobs with medical data around them', async () => {
    const MEDICAL = {
      medicine: 'Metformine 500 mg',
      result: 'HbA1c 58 mmol/mol',
      reason: 'controle diabetes',
      specialism: 'Cardiologie',
      organisation: DEMO.gp,
      provider: 'dr. Jansen',
    };
    const secrets = Object.values(MEDICAL);
    for (const lang of ['nl', 'en'] as const) {
      for (const event of NOTIFICATION_EVENTS) {
        const m = renderNotification(event, lang, { name: 'Koepel', publicUrl: 'https://portaal.example' });
        for (const part of [m.subject, m.text, m.html]) {
          for (const x of secrets) assert.ok(!part.includes(x), `${event}/${lang} has no ${x}`);
          assert.ok(part.includes('Koepel'), 'names the portal');
        }
        assert.ok(m.text.includes('https://portaal.example/'), 'links to the portal');
      }
      const c = renderConfirmation(lang, { name: 'Koepel', publicUrl: 'https://portaal.example' }, 'T'.repeat(43));
      for (const x of secrets) assert.ok(!`${c.subject}${c.text}${c.html}`.includes(x));
    }
    // Jobs whose payload carries medical data (a careless event source) still send only the template.
    const gp = await orgId(k.db, DEMO.gp);
    const before = inbox.to(SUZANNE_MAIL).length;
    for (const event of NOTIFICATION_EVENTS) await notify(suzanne, event, { ...MEDICAL, organisationId: gp });
    await k.koepel.jobs.runUntilIdle();
    const got = inbox.to(SUZANNE_MAIL).slice(before);
    assert.equal(got.length, NOTIFICATION_EVENTS.length);
    for (const m of got) {
      const text = all(m);
      for (const x of secrets) assert.ok(!text.includes(x), `${m.subject ?? ''} has no ${x}`);
      assert.ok(!text.includes('Linde'));
    }
  });

  test('[MG-10] Dutch and English: the mails in the language the citizen chose', async () => {
    assert.equal((await setSwitches(s, NOTIFICATION_EVENTS, 'en')).status, 303);
    await notify(suzanne, 'new-test-result');
    await k.koepel.jobs.runUntilIdle();
    const en = inbox.to(SUZANNE_MAIL).at(-1);
    assert.match(en?.subject ?? '', /A new result is available/);
    assert.match(en?.text ?? '', /\/dossier/);
    assert.equal((await setSwitches(s, NOTIFICATION_EVENTS, 'nl')).status, 303);
    await notify(suzanne, 'new-test-result');
    await k.koepel.jobs.runUntilIdle();
    assert.match(inbox.to(SUZANNE_MAIL).at(-1)?.subject ?? '', /Er is een nieuwe uitslag/);
  });

  test('[MG-10] the SMTP server down for a while: the mail stays queued, is retried, and arrives once', async () => {
    const port = inbox.port;
    await inbox.stop();
    const id = await notify(suzanne, 'appointment-changed');
    assert.ok(id);
    await k.koepel.jobs.runUntilIdle();
    let row = await jobRow(id);
    assert.equal(row.state, 'queued', 'connection refused: queued again with back-off');
    assert.equal(row.attempts, 1);
    assert.match(row.last_error ?? '', /^SmtpError/);
    assert.ok(!(row.last_error ?? '').includes('@'), 'no address in the job row');
    assert.ok(row.run_at.getTime() > Date.now(), 'after a back-off');
    await dueNow();
    await k.koepel.jobs.runUntilIdle();
    assert.equal((await jobRow(id)).state, 'queued', 'still down: still queued');
    const before = inbox.mails.length;
    await inbox.start(port);
    await dueNow();
    await k.koepel.jobs.runUntilIdle();
    row = await jobRow(id);
    assert.equal(row.state, 'done');
    assert.equal(row.attempts, 3);
    const arrived = inbox.mails.slice(before);
    assert.equal(arrived.length, 1, 'arrived once');
    assert.equal(arrived[0]?.messageId, `<koepel-job-${id}@${new URL(k.config.publicUrl).hostname}>`);
    await dueNow();
    await k.koepel.jobs.runUntilIdle();
    assert.equal(inbox.mails.length, before + 1, 'nothing sent twice');
  });

  test('[MG-10] a 550 for the recipient: retried, then dead and visible; the address marked as bouncing', async () => {
    inbox.refuse.add(PIETER_MAIL);
    const id = await withPrincipal(k.db, { kind: 'anonymous' }, (tx) =>
      queueNotification(tx, pieter, 'message-from-provider', { maxAttempts: 3 }),
    );
    assert.ok(id);
    for (let i = 0; i < 3; i++) {
      await dueNow();
      await k.koepel.jobs.runUntilIdle();
    }
    const row = await jobRow(id);
    assert.equal(row.state, 'dead');
    assert.equal(row.attempts, 3);
    assert.equal(row.last_error, 'SmtpError:550');
    assert.equal(inbox.to(PIETER_MAIL).filter((m) => /bericht/.test(m.subject ?? '')).length, 0);
    assert.match(pageText((await p.get('/settings/notifications')).text), /kwam niet aan/);
    inbox.refuse.delete(PIETER_MAIL);
  });

  test('[PZ-3] change and removal of the address and the phone number', async () => {
    // A changed address: the old one stays in use until the new one is confirmed.
    const NEW = 'suzanne.nieuw@voorbeeld.nl';
    assert.equal((await supply(s, NEW)).status, 303);
    await k.koepel.jobs.runUntilIdle();
    const before = inbox.to(SUZANNE_MAIL).length;
    await notify(suzanne, 'appointment-made');
    await k.koepel.jobs.runUntilIdle();
    assert.equal(inbox.to(SUZANNE_MAIL).length, before + 1, 'the old address until confirmation');
    assert.equal(inbox.to(NEW).length, 1, 'only the confirmation mail');
    assert.equal((await confirm(s, tokenIn(NEW))).status, 303);
    await notify(suzanne, 'appointment-made');
    await k.koepel.jobs.runUntilIdle();
    assert.equal(inbox.to(SUZANNE_MAIL).length, before + 1, 'not the old one any more');
    assert.equal(inbox.to(NEW).length, 2);

    // Removal: no more mail.
    const rm = await s.post('/settings/notifications/email/remove', { _csrf: await form(s) });
    assert.equal(rm.status, 303);
    await notify(suzanne, 'appointment-made');
    await k.koepel.jobs.runUntilIdle();
    assert.equal(inbox.to(NEW).length, 2);
    assert.match(pageText((await s.get('/settings/notifications')).text), /Geen \(u krijgt geen e-mail\)/);

    // The phone number: stored sealed, changed, removed.
    const ph = await s.post('/settings/notifications/phone', { _csrf: await form(s), phone: '06 1234 5678' });
    assert.equal(ph.status, 303);
    const sealed = await k.db
      .selectFrom('citizen')
      .select('phone_ciphertext')
      .where('id', '=', suzanne)
      .executeTakeFirstOrThrow();
    assert.ok(
      sealed.phone_ciphertext && !Buffer.from(sealed.phone_ciphertext).toString('latin1').includes('0612345678'),
    );
    assert.match(pageText((await s.get('/settings/notifications')).text), /0612345678/);
    await s.post('/settings/notifications/phone', { _csrf: await form(s), phone: '+31 20 123 4567' });
    assert.match(pageText((await s.get('/settings/notifications')).text), /\+31201234567/);
    assert.doesNotMatch(pageText((await p.get('/settings/notifications')).text), /31201234567/);
    assert.equal((await s.post('/settings/notifications/phone/remove', { _csrf: await form(s) })).status, 303);
    const gone = await k.db
      .selectFrom('citizen')
      .select('phone_ciphertext')
      .where('id', '=', suzanne)
      .executeTakeFirstOrThrow();
    assert.equal(gone.phone_ciphertext, null);
  });

  test('[PZ-3] bad input: a clear error, nothing written', async () => {
    const row = () =>
      k.db.selectFrom('notification_setting').selectAll().where('citizen_id', '=', suzanne).executeTakeFirst();
    const before = await row();
    for (const bad of [
      '',
      'geen-adres',
      'a@b',
      'x@voorbeeld',
      'two@@voorbeeld.nl',
      'a b@voorbeeld.nl',
      '<x@voorbeeld.nl>',
      `${'a'.repeat(250)}@voorbeeld.nl`,
      'x@voorbeeld.nl\r\nBcc: y@z.nl',
    ]) {
      const r = await supply(s, bad);
      assert.equal(r.status, 400, bad);
      assert.match(pageText(r.text), /Vul een geldig e-mailadres in/);
    }
    for (const bad of ['', '12', 'bel me', '+31 6 1234 5678 9012 34']) {
      const r = await s.post('/settings/notifications/phone', { _csrf: await form(s), phone: bad });
      assert.equal(r.status, 400, bad);
      assert.match(pageText(r.text), /Vul een geldig telefoonnummer in/);
    }
    const csrf = await form(s);
    assert.equal(
      (await s.post('/settings/notifications/events', { _csrf: csrf, language: 'nl', events: 'no-such-event' })).status,
      400,
    );
    assert.equal((await s.post('/settings/notifications/events', { _csrf: csrf, language: 'fr' })).status, 400);
    // Without the CSRF token: refused.
    assert.equal((await s.post('/settings/notifications/email', { email: 'x@voorbeeld.nl' })).status, 403);
    assert.deepEqual(await row(), before, 'nothing written');
    assert.equal(parseEmail(' Jan@Voorbeeld.NL '), 'Jan@voorbeeld.nl');
    assert.equal(parsePhone('(020) 123-4567'), '0201234567');
  });

  test('[PZ-3] one citizen cannot see or change another’s settings; anonymous visitors get nothing', async () => {
    // RLS: as Pieter, Suzanne's row is invisible even after an audit record naming her.
    const seen = await withPrincipal(k.db, { kind: 'citizen', citizenId: pieter } as Principal, (tx) =>
      tx.selectFrom('notification_setting').select('citizen_id').execute(),
    );
    assert.ok(seen.every((r) => r.citizen_id !== suzanne));
    const anon = new HttpClient(k.url);
    assert.notEqual((await anon.get('/settings/notifications')).status, 200);
    assert.notEqual((await anon.get('/settings/email/confirm?token=' + 'A'.repeat(43))).status, 200);
  });

  test('[MG-10] the dev outbox is refused (404) where a real SMTP server is configured and in production', async () => {
    assert.equal((await s.get('/dev/outbox')).status, 404);
    // In production the outbox is off (the same null outbox as above: 404), and SMTP_URL is required.
    const prod = {
      NODE_ENV: 'production',
      KOEPEL_MASTER_KEY: Buffer.alloc(32, 7).toString('base64'),
      KOEPEL_DIGID_SIMULATOR: 'false',
      KOEPEL_DIGID_ISSUER: 'https://max.example',
      KOEPEL_DIGID_CLIENT_ID: 'koepel',
      KOEPEL_DIGID_KEYS: testRpKeySet().json,
      DATABASE_URL: 'postgres://koepel@db.example/koepel',
      PUBLIC_URL: 'https://portaal.example',
      KOEPEL_BRP_URL: 'https://brp.example/haalcentraal/api/brp/personen',
      KOEPEL_BRP_API_KEY: 'key',
      KOEPEL_AUDIT_CHECKPOINT_KEY: generateKeyPairSync('ed25519')
        .privateKey.export({ format: 'pem', type: 'pkcs8' })
        .toString(),
      KOEPEL_AUDIT_CHECKPOINT_FILE: '/var/lib/koepel/checkpoints.jsonl',
    };
    assert.throws(() => loadConfig(prod), /Production mode needs SMTP_URL/);
    const mail = loadConfig({ ...prod, SMTP_URL: 'smtp://mail.example:587' }).mail;
    assert.equal(mail.devOutbox, false);
    assert.equal(mail.from, 'Koepel <noreply@portaal.example>');
    assert.throws(() => loadConfig({ SMTP_URL: 'http://mail.example' }), /SMTP_URL/);
  });
});

describe('the dev outbox (demo default, no SMTP server)', () => {
  let k: TestKoepel;
  before(async () => {
    k = await startKoepel();
  });
  after(() => k.close());

  test('[MG-10] without SMTP_URL (outside production) mail goes to the dev outbox page', async () => {
    const s = new HttpClient(k.url);
    assert.equal((await loginWithDigid(s, DEMO.suzanne)).status, 303);
    const page = await s.get('/settings/notifications');
    const r = await s.post('/settings/notifications/email', { _csrf: csrfFrom(page.text), email: 'demo@voorbeeld.nl' });
    assert.equal(r.status, 303);
    await k.koepel.jobs.runUntilIdle();
    const outbox = await s.get('/dev/outbox');
    assert.equal(outbox.status, 200);
    assert.match(pageText(outbox.text), /demo@voorbeeld\.nl/);
    assert.match(pageText(outbox.text), /Bevestig uw e-mailadres/);
    assert.equal(k.config.mail.devOutbox, true);
  });
});
