// For tests: download a PDF as bytes through HTTP with a test client's cookies, and read its text per page with
// pdfjs-dist (the Mozilla PDF reader); render a page to PNG to look at. Not imported by the application.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { HttpClient } from '../../test/support/http-client.js';

export interface Download {
  status: number;
  headers: Headers;
  body: Buffer;
}

export async function download(client: HttpClient, path: string): Promise<Download> {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(client.base + path, { headers: cookie ? { cookie } : {}, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

// The metrics of the standard fonts (Helvetica is not embedded: every reader has it).
const standardFontDataUrl = `${join(dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')), 'standard_fonts')}/`;

async function open(pdf: Uint8Array) {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  return pdfjs.getDocument({ data: new Uint8Array(pdf), isEvalSupported: false, standardFontDataUrl }).promise;
}

/** The text of each page, its pieces joined by spaces (a wrapped cell reads as one run of words). */
export async function pdfPages(pdf: Uint8Array): Promise<string[]> {
  const doc = await open(pdf);
  const pages: string[] = [];
  for (let i = 1; i <= doc.numPages; i++) {
    const content = await (await doc.getPage(i)).getTextContent();
    pages.push(
      content.items
        .map((it) => ('str' in it ? it.str : ''))
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  }
  await doc.destroy();
  return pages;
}

/**
 * One page as a PNG (for a person to look at), drawn by pdfjs on @napi-rs/canvas (pdfjs-dist's own optional
 * dependency for Node); null where that is not installed.
 */
export async function pdfPagePng(pdf: Uint8Array, page = 1, scale = 1.5): Promise<Buffer | null> {
  const canvasModule = await import('@napi-rs/canvas').catch(() => null);
  if (!canvasModule) return null;
  const { createCanvas } = canvasModule;
  const doc = await open(pdf);
  const p = await doc.getPage(page);
  const viewport = p.getViewport({ scale });
  const canvas = createCanvas(viewport.width, viewport.height);
  await p.render({ canvas: canvas as never, viewport }).promise;
  await doc.destroy();
  return canvas.toBuffer('image/png');
}

interface StructNode {
  role?: string;
  children?: StructNode[];
}

/** The tagged structure of a page, as roles: "H1 P … Table(TR:TH,TH TR:TH,TD)". */
export async function pdfStructure(pdf: Uint8Array, page = 1): Promise<string> {
  const doc = await open(pdf);
  const tree = (await (await doc.getPage(page)).getStructTree()) as StructNode | null;
  await doc.destroy();
  const roles = (n: StructNode): string =>
    (n.children ?? [])
      .filter((c) => c.role)
      .map((c) => (c.role === 'Table' || c.role === 'TR' ? `${c.role}(${roles(c)})` : (c.role ?? '')))
      .join(' ');
  return roles(tree?.children?.[0] ?? {});
}
