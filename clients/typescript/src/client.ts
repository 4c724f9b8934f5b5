// A small typed client for the masthead API, built on openapi-fetch.
// Every path, parameter, request body and response (success and problem+json error) is typed from
// src/schema.d.ts, which `npm run generate` regenerates from ../../openapi/openapi.json.
import createClient, { type Client, type ClientOptions } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

type Schemas = components["schemas"];
export type Article = Schemas["Article"];
export type ArticleInput = Schemas["ArticleInput"];
export type ArticleList = Schemas["ArticleList"];
export type ArticleListItem = Schemas["ArticleListItem"];
export type Author = Schemas["Author"];
export type AuthorInput = Schemas["AuthorInput"];
export type Tag = Schemas["Tag"];
export type TagInput = Schemas["TagInput"];
export type PageMeta = Schemas["PageMeta"];
/** An RFC 9457 problem document (`application/problem+json`); `errors` lists invalid fields on 422. */
export type Problem = Schemas["Problem"];
export type FieldError = Schemas["FieldError"];

export type MastheadClient = Client<paths>;

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
  return createClient<paths>({
    ...options,
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: { ...headers, ...(options.headers as Record<string, string> | undefined) },
  });
}
