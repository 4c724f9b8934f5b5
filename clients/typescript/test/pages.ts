// Renders the demo newsroom's article page and homepage the way a frontend would, each from the
// fewest requests, with every parameter the client exposes (`fields` and `include` among them).
//   MASTHEAD_URL=http://127.0.0.1:PORT node dist/test/pages.js   (a server started with --demo)
// Exits non-zero on the first failed assertion.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import {
  COMMA_LISTS,
  createMastheadClient,
  serializeQuery,
  type Article,
  type ArticleListItem,
  type ArticleSummary,
  type AuthorSummary,
  type FeatureImage,
  type RelatedGroup,
  type Section,
} from "../src/client.js";
import { check, run } from "./check.js";

const baseUrl = process.env["MASTHEAD_URL"];
if (!baseUrl) {
  console.error("pages: MASTHEAD_URL must be set");
  process.exit(2);
}

/** Counts the requests a page costs. */
let requests = 0;
const counting: typeof fetch = (input, init) => {
  requests++;
  return fetch(input, init);
};
const api = createMastheadClient(baseUrl, undefined, { fetch: counting });

const esc = (text: string) =>
  text.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c] ?? c);

function hero(image: FeatureImage | null | undefined): string {
  if (!image) return "";
  const caption = [image.caption, image.credit].filter(Boolean).map((t) => esc(t ?? "")).join(" — ");
  return `<figure><img src="${esc(image.url)}" alt="${esc(image.alt ?? "")}"><figcaption>${caption}</figcaption></figure>`;
}

function authorBox(author: AuthorSummary): string {
  const social = Object.entries(author.social ?? {})
    .map(([network, handle]) => `<li>${esc(network)}: ${esc(handle)}</li>`)
    .join("");
  return `<aside class="author"><h3>${esc(author.name)}</h3><p>${esc(author.bio ?? "")}</p>` +
    `<a href="${esc(author.website ?? "#")}">Website</a><ul>${social}</ul></aside>`;
}

function relatedBlock(group: RelatedGroup): string {
  const links = group.links
    .map((l) => `<li><a href="/${esc(l.article.slug)}">${esc(l.article.title)}</a> <small>${esc(l.label)}</small></li>`)
    .join("");
  return `<section class="related ${group.kind}"><h2>${esc(group.heading)}</h2><ul>${links}</ul></section>`;
}

function teaser(a: ArticleSummary | ArticleListItem): string {
  return `<li><a href="/${esc(a.slug)}">${esc(a.title)}</a><p>${esc(a.excerpt)}</p></li>`;
}

function articlePage(a: Article): string {
  const section = a.primary_tag?.name ?? "News";
  return [
    `<title>${esc(a.seo.meta_title)}</title><meta name="description" content="${esc(a.seo.meta_description)}">`,
    `<meta property="og:title" content="${esc(a.seo.og_title)}">`,
    `<h1>${esc(a.title)}</h1>`,
    hero(a.feature_image),
    a.body_html,
    ...a.authors.map(authorBox),
    ...(a.related_groups ?? []).map(relatedBlock),
    `<section class="more"><h2>More in ${esc(section)}</h2><ul>${(a.more_in_section ?? []).map(teaser).join("")}</ul></section>`,
  ].join("\n");
}

function homepage(latest: ArticleListItem[], sections: Section[]): string {
  const blocks = sections.map(
    (s) => `<section id="${esc(s.slug)}"><h2>${esc(s.name)}</h2><ul>${s.articles.map(teaser).join("")}</ul></section>`,
  );
  return [`<section id="latest"><ul>${latest.map(teaser).join("")}</ul></section>`, ...blocks].join("\n");
}

async function main(): Promise<void> {
  // The client's query serializer sends comma lists where the spec says `explode: false`.
  check(
    serializeQuery({ fields: ["slug", "title"], include: ["authors.full"], tag: ["a", "b"], per_page: 2 }) ===
      "fields=slug,title&include=authors.full&tag=a&tag=b&per_page=2",
    "comma lists for fields and include, repeats for tag",
  );
  const spec = JSON.parse(
    readFileSync(fileURLToPath(new URL("../../../../openapi/openapi.json", import.meta.url)), "utf8"),
  ) as { paths: Record<string, Record<string, { parameters?: { name: string; explode?: boolean }[] }>> };
  const commaInSpec = new Set<string>();
  for (const operations of Object.values(spec.paths)) {
    for (const operation of Object.values(operations)) {
      for (const p of operation.parameters ?? []) if (p.explode === false) commaInSpec.add(p.name);
    }
  }
  check(
    [...commaInSpec].sort().join() === [...COMMA_LISTS].sort().join(),
    "the client's comma lists are the spec's explode:false parameters",
    [...commaInSpec],
  );

  // 1. The seed's article page, from one request.
  requests = 0;
  const page = await api.article("the-sea-wall-will-not-hold-forever", {
    include: ["authors.full", "related.suggested", "related.groups", "more_in_section"],
    suggest: 2,
    more: 3,
  });
  check(page.data !== undefined, "GET the article page -> 200", page.error);
  const article: Article = page.data;
  check(requests === 1, "the article page costs one request", requests);
  const html = articlePage(article);
  check(article.title.length > 0 && html.includes(`<h1>${esc(article.title)}</h1>`), "headline", article.title);
  check(article.feature_image?.caption && article.feature_image.credit, "hero image with caption and credit", article.feature_image);
  check(article.authors[0]?.bio && article.authors[0].social, "author box with bio and social links", article.authors[0]);
  const kinds = (article.related_groups ?? []).map((g) => g.kind);
  check(kinds.includes("read_next") && kinds.includes("recommended"), "related links grouped by kind", kinds);
  check(
    (article.related_groups ?? []).find((g) => g.kind === "read_next")?.links[0]?.label === "How reefs can help",
    "an editor's label wins inside its group",
    article.related_groups,
  );
  check((article.more_in_section ?? []).length > 0, "More in the section", article.more_in_section);
  check(
    (article.more_in_section ?? []).every((a) => a.primary_tag?.slug === article.primary_tag?.slug && a.id !== article.id),
    "More in the section shares the primary tag and leaves the article out",
  );
  check(html.includes(`More in ${esc(article.primary_tag?.name ?? "")}`), "the rendered page names its section");

  // The same read trimmed by `fields`: the type narrows to what was asked.
  const trimmed = await api.article(article.slug, { fields: ["title", "seo"], include: ["more_in_section"] });
  check(trimmed.data !== undefined, "GET with fields and include -> 200", trimmed.error);
  const narrow: { id: number; title: string } = trimmed.data;
  check(narrow.title === article.title && trimmed.data.seo.meta_title.length > 0, "fields narrows the article", trimmed.data);
  check(Object.keys(trimmed.data).sort().join() === "id,more_in_section,seo,title", "only the asked fields", Object.keys(trimmed.data));

  // 2. The homepage, from one request (latest plus a block per section, no article twice).
  requests = 0;
  const home = await api.sections({ latest: 3, articles: 3, dedupe: "true", include: ["authors.full"] });
  check(home.data !== undefined, "GET /v1/sections -> 200", home.error);
  check(requests === 1, "the homepage costs one request", requests);
  const latest = home.data.latest ?? [];
  const shown = [...latest, ...home.data.data.flatMap((s) => s.articles)].map((a) => a.id);
  check(latest.length === 3, "three latest articles", latest.map((a) => a.slug));
  check(new Set(shown).size === shown.length, "no article appears twice", shown);
  const demoSections = home.data.data.map((s) => s.slug).filter((s) => !s.startsWith("ts-client-"));
  check(demoSections.join() === "city,climate,culture,science", "sections by name when unordered", demoSections);
  const homeHtml = homepage(latest, home.data.data);
  check(homeHtml.includes('<section id="climate">'), "the homepage renders its sections");

  // 3. A section page with the list query: primary tag, exclusion, fields, cursor paging.
  const science = await api.articles({ primary_tag: "climate", exclude: [article.slug], per_page: 1, fields: ["slug", "primary_tag"] });
  check(science.data !== undefined, "GET /v1/articles?primary_tag -> 200", science.error);
  const first = science.data.data[0];
  check(first?.primary_tag?.slug === "climate", "a section lists its primary-tag articles", science.data.data);
  const cursor = science.data.meta.next_cursor;
  check(typeof cursor === "string", "a next cursor while there is more", science.data.meta);
  const next = await api.articles({ primary_tag: "climate", exclude: [article.slug], per_page: 1, cursor, include: ["authors.full"] });
  check(next.data !== undefined && next.data.data[0]?.authors[0]?.bio !== undefined, "the next page, with full authors", next.error ?? next.data);
}

await run("pages", main);
