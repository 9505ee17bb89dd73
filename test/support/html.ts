// Reading rendered pages in tests as a person reads them: text without markup, table rows as their cells' text.

/** Markup removed, character references decoded, white space folded. */
export function pageText(html: string): string {
  return html
    .replace(/<head>[\s\S]*?<\/head>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&#(\d+);/g, (_m, n: string) => String.fromCharCode(Number(n)))
    .replace(/&quot;/g, '"')
    .replace(/&#39;|&apos;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ')
    .trim();
}

/** The body rows of every table on the page (or only the first table), each as its cells' text. */
export function tableRows(html: string, opts: { firstTableOnly?: boolean } = {}): string[][] {
  const bodies = [...html.matchAll(/<tbody[^>]*>([\s\S]*?)<\/tbody>/g)].map((m) => m[1] ?? '');
  return (opts.firstTableOnly ? bodies.slice(0, 1) : bodies).flatMap((b) =>
    [...b.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) =>
      [...(r[1] ?? '').matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((c) => pageText(c[1] ?? '')),
    ),
  );
}
