// Lists the newest published articles.
//   MASTHEAD_URL=http://127.0.0.1:8080 npm run example
import { createMastheadClient } from "../src/client.js";

const client = createMastheadClient(process.env["MASTHEAD_URL"] ?? "http://127.0.0.1:8080");

const { data, error, response } = await client.GET("/v1/articles", {
  params: { query: { per_page: 10, sort: "-published_at" } },
});
if (error) {
  // `error` is typed as the Problem document.
  console.error(`HTTP ${response.status}: ${error.title}: ${error.detail}`);
  process.exit(1);
}
for (const article of data.data) {
  // Items are typed ArticleListItem | ArticleFields (the latter when `fields` trims them).
  const by = (article.authors ?? []).map((a) => a.name).join(", ") || "unknown";
  console.log(`${article.published_at ?? "-"}  ${article.slug}  ${article.title}  (by ${by})`);
}
console.log(`page ${data.meta.page ?? 1} of ${data.meta.total_pages ?? "?"}, ${data.meta.total ?? "?"} articles`);
