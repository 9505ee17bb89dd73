// Demo conversations (issue 13, MG-9): the demo citizen Suzanne (999993653) with her GP and her pharmacy — one
// answered (unread, so the menu shows a count), one with attachments both ways, one still waiting for the practice —
// and a few standard answers. Sealed like every message (src/messages/crypto.ts, AAD strings in migration 0029).
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import PDFDocument from 'pdfkit';
import { messageAad } from '../messages/index.js';
import type { KeyStore } from '../platform/crypto/keys.js';
import type { DB } from '../platform/db/schema.js';

const SUZANNE = '999993653';
// A 1×1 PNG: the citizen's "photo".
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);

function leaflet(): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', info: { Title: 'Gebruiksinstructie' } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.fontSize(16).text('Apotheek Centrum — gebruiksinstructie');
    doc
      .moveDown()
      .fontSize(11)
      .text('Neem de tablet in met een glas water, bij voorkeur elke dag op hetzelfde moment.');
    doc.end();
  });
}

export async function seedDemoMessages(
  tx: Kysely<DB>,
  keys: KeyStore,
  orgIds: ReadonlyMap<string, string>,
  citizenIds: ReadonlyMap<string, string>,
  staffIds: ReadonlyMap<string, string>,
): Promise<void> {
  const citizen = citizenIds.get(SUZANNE);
  const gp = orgIds.get('gp');
  const pharmacy = orgIds.get('pharmacy');
  if (!citizen || !gp || !pharmacy) return;
  const seal = (org: string, text: string | Buffer, aad: string) =>
    keys.handle(tx, { kind: 'organisation', id: org }).then((h) => h.seal(Buffer.from(text), aad));
  const ago = (hours: number) => new Date(Date.now() - hours * 3600_000);

  async function conversation(org: string, subject: string, assigned: string | null): Promise<string> {
    const id = randomUUID();
    await tx
      .insertInto('conversation')
      .values({
        id,
        organisation_id: org,
        citizen_id: citizen ?? '',
        subject: await seal(org, subject, messageAad.subject(id)),
        started_by: 'citizen',
        assigned_to: assigned,
      })
      .execute();
    return id;
  }
  async function message(
    org: string,
    conversationId: string,
    m: { from: 'citizen' | { email: string; name: string }; body: string; at?: Date },
    files: { name: string; type: 'application/pdf' | 'image/png'; data: Buffer }[] = [],
  ): Promise<void> {
    const id = randomUUID();
    const staff = m.from === 'citizen' ? null : (staffIds.get(m.from.email) ?? null);
    await tx
      .insertInto('conversation_message')
      .values({
        id,
        conversation_id: conversationId,
        organisation_id: org,
        citizen_id: citizen ?? '',
        sender: m.from === 'citizen' ? 'citizen' : 'staff',
        sender_staff: staff,
        sender_name: m.from === 'citizen' ? null : m.from.name,
        body: await seal(org, m.body, messageAad.body(id)),
        ...(m.at ? { created_at: m.at } : {}),
      })
      .execute();
    for (const f of files) {
      const aid = randomUUID();
      await tx
        .insertInto('message_attachment')
        .values({
          id: aid,
          message_id: id,
          conversation_id: conversationId,
          organisation_id: org,
          citizen_id: citizen ?? '',
          content_type: f.type,
          size_bytes: f.data.length,
          file_name: await seal(org, f.name, messageAad.fileName(aid)),
          content: await seal(org, f.data, messageAad.content(aid)),
        })
        .execute();
    }
  }

  const assistant = { email: 'assistent@delinde.example', name: 'L. de Boer' };
  const pharmacist = { email: 'apotheker@apotheekcentrum.example', name: 'R. Mulder' };

  // 1. Answered by the GP's assistant; the answer not read yet (the citizen's menu counts it).
  const repeat = await conversation(gp, 'Vraag over mijn bloeddrukmeting', staffIds.get(assistant.email) ?? null);
  await message(gp, repeat, {
    from: 'citizen',
    body: 'Goedemorgen,\nMijn bloeddruk thuis was deze week steeds rond 150/95. Moet ik eerder langskomen?',
    at: ago(50),
  });
  await message(gp, repeat, {
    from: assistant,
    body: 'Dank voor uw bericht. De huisarts wil u graag volgende week zien; u kunt online een dubbel consult maken.',
    at: ago(26),
  });

  // 2. With the pharmacy: a photo from the citizen, a PDF back from the pharmacist.
  const leafletQuestion = await conversation(pharmacy, 'Hoe neem ik mijn nieuwe medicijn in?', null);
  await message(
    pharmacy,
    leafletQuestion,
    { from: 'citizen', body: 'Hierbij een foto van het etiket. Moet ik deze tablet met eten innemen?' },
    [{ name: 'etiket.png', type: 'image/png', data: PNG }],
  );
  await message(
    pharmacy,
    leafletQuestion,
    {
      from: pharmacist,
      body: 'U kunt de tablet met of zonder eten innemen. In de bijlage staat de gebruiksinstructie.',
    },
    [{ name: 'gebruiksinstructie.pdf', type: 'application/pdf', data: await leaflet() }],
  );

  // 3. Still waiting for the practice (in the staff inbox as unread and unassigned).
  const waiting = await conversation(gp, 'Verlenging verwijzing fysiotherapie', null);
  await message(gp, waiting, {
    from: 'citizen',
    body: 'Mijn verwijzing voor de fysiotherapeut loopt volgende maand af. Kan die verlengd worden?',
    at: ago(3),
  });

  await tx
    .insertInto('message_template')
    .values([
      {
        organisation_id: gp,
        title: 'Uitslag goed',
        body: 'Uw uitslag is goed; u hoeft niets te doen. Met vriendelijke groet, Huisartsenpraktijk De Linde',
      },
      {
        organisation_id: gp,
        title: 'Graag een afspraak',
        body: 'De huisarts bespreekt dit graag met u. U kunt online een afspraak maken onder "Afspraken".',
      },
      {
        organisation_id: pharmacy,
        title: 'Herhaalrecept klaar',
        body: 'Uw herhaalrecept ligt klaar. U kunt het ophalen tijdens onze openingstijden.',
      },
    ])
    .execute();
}
