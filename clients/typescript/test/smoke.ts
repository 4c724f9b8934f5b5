// Smoke test of the generated client against a live server.
//   MASTHEAD_URL=http://127.0.0.1:PORT MASTHEAD_TOKEN=<editor JWT> node dist/test/smoke.js
// Exits non-zero on the first failed assertion.
import { createMastheadClient, renditionUrl, type Article, type ArticleInput, type Author, type Problem } from "../src/client.js";
import { check, run } from "./check.js";

const baseUrl = process.env["MASTHEAD_URL"];
const token = process.env["MASTHEAD_TOKEN"];
if (!baseUrl || !token) {
  console.error("smoke: MASTHEAD_URL and MASTHEAD_TOKEN must be set");
  process.exit(2);
}

const editor = createMastheadClient(baseUrl, token);
const anonymous = createMastheadClient(baseUrl);
const unique = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

async function main(): Promise<void> {
  // 1. Create an author (editor token).
  const author = await editor.POST("/v1/authors", {
    body: { name: `TS Client ${unique}`, bio: "Made by the TypeScript smoke test." },
  });
  check(author.response.status === 201, "POST /v1/authors -> 201", author.error ?? author.response.status);
  const created: Author = author.data!;
  check(typeof created.id === "number" && created.slug.length > 0, "author has an id and a slug", created);

  // 2. Create a published article credited to that author.
  const title = `Typed clients work ${unique}`;
  const post = await editor.POST("/v1/articles", {
    body: {
      title,
      body: "Generated from the **OpenAPI** document, checked by `tsc`.",
      status: "published",
      authors: [created.slug],
      tags: [`ts-client-${unique}`],
    },
  });
  check(post.response.status === 201, "POST /v1/articles -> 201", post.error ?? post.response.status);
  const article: Article = post.data!;
  check(article.title === title && article.status === "published", "created article is published", article);
  check(article.authors[0]?.slug === created.slug, "primary author is the new author", article.authors);
  check(
    (post.response.headers.get("location") ?? "").endsWith(`/v1/articles/${article.slug}`) ||
      (post.response.headers.get("location") ?? "").endsWith(`/v1/articles/${article.id}`),
    "Location header points at the article",
    post.response.headers.get("location"),
  );

  // 3. The public list shows it.
  const list = await anonymous.GET("/v1/articles", {
    params: { query: { author: created.slug, per_page: 100, page: 1 } },
  });
  check(list.response.status === 200 && list.data !== undefined, "GET /v1/articles -> 200", list.error);
  const item = list.data.data.find((a) => a.id === article.id);
  check(item !== undefined, "the created article is in the list", list.data.data.map((a) => a.slug));
  check(item.slug === article.slug && item.body === undefined, "list item has its slug and no body", item);
  check(list.data.meta.total === 1 && list.data.meta.page === 1, "meta counts one article", list.data.meta);

  // 4. Its detail, by slug.
  const detail = await anonymous.GET("/v1/articles/{key}", {
    params: { path: { key: article.slug } },
  });
  check(detail.response.status === 200 && detail.data !== undefined, "GET /v1/articles/{slug} -> 200", detail.error);
  check(detail.data.id === article.id, "detail is the same article", detail.data.id);
  // Without `fields` the detail is a whole Article; the spec types it Article | ArticleFields
  // (the trimmed shape `fields` asks for), so fields are optional to the type checker.
  check((detail.data.body_html ?? "").includes("<strong>OpenAPI</strong>"), "body_html is rendered", detail.data.body_html);
  check(detail.data.authors?.[0]?.slug === created.slug, "detail credits the author", detail.data.authors);
  check(detail.response.headers.get("etag") !== null, "detail has an ETag");

  // 5. An invalid article: 422 with a typed problem document naming `title`.
  const bad = await editor.POST("/v1/articles", { body: { title: "" } });
  check(bad.response.status === 422, "POST /v1/articles with title \"\" -> 422", bad.response.status);
  check(
    (bad.response.headers.get("content-type") ?? "").startsWith("application/problem+json"),
    "422 is application/problem+json",
    bad.response.headers.get("content-type"),
  );
  const problem: Problem | undefined = bad.error;
  check(problem !== undefined && problem.status === 422, "problem.status is 422", problem);
  check(problem.errors?.[0]?.field === "title", "problem.errors[0].field is \"title\"", problem.errors);

  // 6. A write without a token is 401.
  const anon = await anonymous.POST("/v1/articles", { body: { title: "nope" } });
  check(anon.response.status === 401, "POST /v1/articles without a token -> 401", anon.response.status);

  // Media: a 2x1 PNG (red, blue) uploaded as a form, then a rendition of it.
  const png = Uint8Array.from(
    Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAIAAAB7QOjdAAAADUlEQVR4nGP4zwAE/wEHAAH/4iOeWQAAAABJRU5ErkJggg==",
      "base64",
    ),
  );
  const upload = await editor.uploadMedia(new Blob([png], { type: "image/png" }), { alt: "Two pixels", focal_x: 0.25 });
  check(upload.response.status === 201 && upload.data !== undefined, "POST /v1/media -> 201", upload.error ?? upload.response.status);
  const media = upload.data;
  check(media.mime === "image/png" && media.width === 2 && media.height === 1, "the upload is a 2x1 PNG", media);
  check(media.alt === "Two pixels" && media.focal.x === 0.25, "alt and focal point kept", media);
  const served = await fetch(`${baseUrl}${renditionUrl(media.url, { format: "webp" })}`);
  check(served.status === 200 && served.headers.get("content-type") === "image/webp", "the rendition is a WebP", served.status);
  const listed = await editor.GET("/v1/media", { params: { query: { q: "two pixels" } } });
  check(listed.data?.data[0]?.id === media.id, "the library finds it by its alt text", listed.data);
}

// Compile-time checks only (never called): the generated types reject wrong paths and fields.
export function typeChecks(): void {
  // @ts-expect-error: not a path of the API
  void editor.GET("/v1/articlez");
  // @ts-expect-error: `titel` is not a field of ArticleInput
  const input: ArticleInput = { titel: "x" };
  void input;
  // @ts-expect-error: `title` is a string
  void editor.POST("/v1/articles", { body: { title: 42 } });
  // @ts-expect-error: `status` is one of the contract's lowercase values
  void editor.POST("/v1/articles", { body: { title: "x", status: "live" } });
  // @ts-expect-error: `per_page` is an integer
  void editor.GET("/v1/articles", { params: { query: { per_page: "20" } } });
  // @ts-expect-error: the detail route needs its `key` path parameter
  void editor.GET("/v1/articles/{key}", {});
}

await run("smoke", main);
