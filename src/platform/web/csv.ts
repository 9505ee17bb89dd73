// A table as a spreadsheet download: semicolon-separated UTF-8 with a BOM and CRLF line ends (what Dutch Excel opens
// as columns). A cell that a spreadsheet would run as a formula (starting with = + - @, a tab or a carriage return)
// gets a leading apostrophe (csv-stringify's escape_formulas): names and reasons in a file are data, never commands.
import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';

export function toCsv(rows: readonly (readonly string[])[]): string {
  return stringify(rows as string[][], {
    delimiter: ';',
    bom: true,
    escape_formulas: true,
    record_delimiter: 'windows',
  });
}

/** Sends the rows as an attachment named `filename` (ASCII: it goes into the header as written), never cached. */
export function sendCsv(reply: FastifyReply, filename: string, rows: readonly (readonly string[])[]): FastifyReply {
  return reply
    .header('Content-Type', 'text/csv; charset=utf-8')
    .header('Content-Disposition', `attachment; filename="${filename}"`)
    .header('Cache-Control', 'no-store')
    .header('X-Content-Type-Options', 'nosniff')
    .send(toCsv(rows));
}
