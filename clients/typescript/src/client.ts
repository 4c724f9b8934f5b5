// A small typed client for the masthead API, built on openapi-fetch.
// Every path, parameter, request body and response (success and problem+json error) is typed from
// src/schema.d.ts, which `npm run generate` regenerates from ../../openapi/openapi.json.
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

type Schemas = components["schemas"];
export type Article = Schemas["Article"];
export type ArticleInput = Schemas["ArticleInput"];
export type ArticlePatch = Schemas["ArticlePatch"];
export type ArticleList = Schemas["ArticleList"];
export type ArticleListItem = Schemas["ArticleListItem"];
export type ArticleSummary = Schemas["ArticleSummary"];
export type FeatureImage = Schemas["FeatureImage"];
export type RelatedLink = Schemas["RelatedLink"];
export type RelatedGroup = Schemas["RelatedGroup"];
export type RelatedKind = Schemas["RelatedKind"];
export type Seo = Schemas["Seo"];
export type Author = Schemas["Author"];
export type AuthorSummary = Schemas["AuthorSummary"];
export type AuthorInput = Schemas["AuthorInput"];
export type Tag = Schemas["Tag"];
export type TagSummary = Schemas["TagSummary"];
export type TagInput = Schemas["TagInput"];
export type Section = Schemas["Section"];
export type SectionList = Schemas["SectionList"];
export type PageMeta = Schemas["PageMeta"];
export type MediaItem = Schemas["MediaItem"];
export type MediaList = Schemas["MediaList"];
export type MediaPatch = Schemas["MediaPatch"];
export type Picture = Schemas["Picture"];
export type Placeholder = Schemas["Placeholder"];
export type RenditionLink = Schemas["RenditionLink"];
export type Focal = Schemas["Focal"];
/** An RFC 9457 problem document (`application/problem+json`); `errors` lists invalid fields on 422. */
export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];

/** The query of `GET /v1/articles`, as the spec types it. */
export type ArticleQuery = NonNullable<operations["list_articles"]["parameters"]["query"]>;
/** The query of `GET /v1/articles/{key}`. */
export type ArticleReadQuery = NonNullable<operations["find_article"]["parameters"]["query"]>;
/** The query of `GET /v1/sections`. */
export type SectionQuery = NonNullable<operations["list_sections"]["parameters"]["query"]>;
/** The top-level fields `fields=` may name. */
export type ArticleField = keyof Article;
/** What `include=` may ask of one article. */
export type ArticleInclude = NonNullable<ArticleReadQuery["include"]>[number];

/**
 * Parameters the spec marks `style: form, explode: false` travel as one comma list
 * (`fields=a,b`); every other array repeats its name (`tag=a&tag=b`). openapi-fetch applies one
 * array style to every parameter, so the client serializes queries itself.
 */
export const COMMA_LISTS: ReadonlySet<string> = new Set(["fields", "include"]);

/** Serializes a query object the way the spec describes each parameter. */
export function serializeQuery(query: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    const key = encodeURIComponent(name);
    if (Array.isArray(value)) {
      if (value.length === 0) continue;
      const items = value.map((v) => encodeURIComponent(String(v)));
      if (COMMA_LISTS.has(name)) parts.push(`${key}=${items.join(",")}`);
      else for (const item of items) parts.push(`${key}=${item}`);
    } else {
      parts.push(`${key}=${encodeURIComponent(String(value))}`);
    }
  }
  return parts.join("&");
}

/** What a typed read answers: the value on success, the problem document otherwise. */
export interface Reply<T> {
  data?: T;
  error?: Problem;
  response: Response;
}

/** An article trimmed by `fields`: `id` and the fields asked for. */
export type ArticleWith<K extends ArticleField> = Pick<Article, K | "id">;
/** A list item trimmed by `fields`. */
export type ArticleItemWith<K extends ArticleField> = Pick<Article, K | "id">;
/** A page of articles, whole or trimmed by `fields`. */
export interface ArticlePage<T> {
  data: T[];
  meta: PageMeta;
}

export interface MastheadClient extends Client<paths> {
  /** One article by id or slug: the whole `Article`, with what `include` asks. */
  article(key: string | number, query?: Omit<ArticleReadQuery, "fields">): Promise<Reply<Article>>;
  /** One article trimmed by `fields` (plus what `include` adds). */
  article<K extends ArticleField>(
    key: string | number,
    query: Omit<ArticleReadQuery, "fields"> & { fields: K[] },
  ): Promise<Reply<ArticleWith<K>>>;
  /** A page of articles: whole list items. */
  articles(query?: Omit<ArticleQuery, "fields">): Promise<Reply<ArticlePage<ArticleListItem>>>;
  /** A page of articles trimmed by `fields`. */
  articles<K extends ArticleField>(
    query: Omit<ArticleQuery, "fields"> & { fields: K[] },
  ): Promise<Reply<ArticlePage<ArticleItemWith<K>>>>;
  /** A homepage: the latest articles and every section with its newest. */
  sections(query?: SectionQuery): Promise<Reply<SectionList>>;
  /**
   * Uploads an image (JPEG, PNG, WebP or GIF; the server reads the type from the bytes) as a
   * multipart form, with its alt text, caption, credit and focal point. Needs a token.
   */
  uploadMedia(file: Blob, fields?: MediaFields): Promise<Reply<MediaItem>>;
}

/** The words and focal point sent with an upload. */
export interface MediaFields {
  alt?: string;
  caption?: string;
  credit?: string;
  /** 0 (left) to 1 (right); default 0.5. */
  focal_x?: number;
  /** 0 (top) to 1 (bottom); default 0.5. */
  focal_y?: number;
}

/** What a rendition URL may ask for (see `GET /media/{id}/{file}`). */
export interface RenditionOptions {
  /** One of the server's MEDIA_WIDTHS (default 320 ... 2048). */
  w?: number;
  /** An allowed width, or `w` times a common aspect ratio (800 x 450 is 16:9). */
  h?: number;
  fit?: "cover" | "contain" | "inside";
  format?: "auto" | "webp" | "avif" | "jpeg" | "png";
  /** Quality, 1 to 100. */
  q?: number;
}

/** The URL of a picture (a media item, a feature image or an avatar `url`) at a size and format. */
export function renditionUrl(url: string, options: RenditionOptions = {}): string {
  const base = url.split("?")[0] ?? url;
  const query = serializeQuery(options as Record<string, unknown>);
  return query ? `${base}?${query}` : base;
}

/**
 * A `srcset` for a picture's renditions (`renditions` of a media item, a feature image or an
 * avatar), in the original's format or another one: `srcset(image.renditions, "avif")` for a
 * `<source type="image/avif">`.
 */
export function srcset(
  renditions: readonly RenditionLink[],
  format?: RenditionOptions["format"],
): string {
  return renditions
    .map((r) => `${format ? `${r.url}&format=${format}` : r.url} ${r.width}w`)
    .join(", ");
}

/**
 * Creates a typed client.
 *
 * @param baseUrl the server's origin, e.g. `http://127.0.0.1:8080` (paths carry `/v1` themselves)
 * @param token   an optional JWT; sent as `Authorization: Bearer <token>` on every request
 * @param options further openapi-fetch options (custom `fetch`, extra headers, ...)
 */
export function createMastheadClient(
  baseUrl: string,
  token?: string,
  options: Omit<ClientOptions, "baseUrl"> = {},
): MastheadClient {
  const headers: Record<string, string> = { Accept: "application/json, application/problem+json" };
  if (token) headers["Authorization"] = `Bearer ${token}`;
  const client = createClient<paths>({
    querySerializer: serializeQuery,
    ...options,
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: { ...headers, ...(options.headers as Record<string, string> | undefined) },
  });
  // The spec types a read as `Article | ArticleFields`, since `fields` may trim it; these
  // wrappers know from their arguments which one the server sends.
  const article = async (key: string | number, query: ArticleReadQuery = {}) => {
    const { data, error, response } = await client.GET("/v1/articles/{key}", {
      params: { path: { key: String(key) }, query },
    });
    return { data: data as Article | undefined, error, response };
  };
  const articles = async (query: ArticleQuery = {}) => {
    const { data, error, response } = await client.GET("/v1/articles", { params: { query } });
    return { data: data as ArticlePage<ArticleListItem> | undefined, error, response };
  };
  const sections = async (query: SectionQuery = {}) => {
    const { data, error, response } = await client.GET("/v1/sections", { params: { query } });
    return { data, error, response };
  };
  const uploadMedia = async (file: Blob, fields: MediaFields = {}) => {
    const form = new FormData();
    form.append("file", file, "upload");
    for (const [name, value] of Object.entries(fields)) {
      if (value !== undefined) form.append(name, String(value));
    }
    const { data, error, response } = await client.POST("/v1/media", {
      // openapi-fetch sends FormData as it is, with its multipart boundary.
      body: form as unknown as never,
      bodySerializer: (body: unknown) => body as FormData,
    });
    return { data: data as MediaItem | undefined, error, response };
  };
  return Object.assign(client, { article, articles, sections, uploadMedia }) as MastheadClient;
}
