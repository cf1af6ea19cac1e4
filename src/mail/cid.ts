/** Resolves `cid:` references of an HTML body to the URLs where its inline parts are stored. */
export interface InlinePart {
  contentId: string;
  url: string;
}

export function resolveCidReferences(html: string, parts: InlinePart[]): string {
  if (parts.length === 0 || !html.includes('cid:')) return html;
  const byId = new Map(parts.map((part) => [part.contentId.toLowerCase(), part.url]));
  return html.replace(/(["'(])cid:([^"')\s>]+)/gi, (match, opener: string, id: string) => {
    const url = byId.get(decodeURIComponent(id).toLowerCase());
    return url ? `${opener}${url}` : match;
  });
}
