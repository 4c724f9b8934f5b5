//! Article writes: the routes. The rules they apply (roles, drafts and
//! publishing, slugs, credits, tags and inline links) are in
//! `content::articles`.

use super::*;
use crate::api::resource::{Action, Editable, write_handlers};
use crate::content::Writer;
use crate::content::articles::{self as rules, ArticleInput};

/// Articles as an [`Editable`] resource.
pub struct Articles;

impl Editable for Articles {
    type Input = ArticleInput;
    type Stored = ArticleRow;
    type Shown = Article;
    type Actor = Writer;

    fn actor(conn: &mut Conn, caller: &Caller, _: Action) -> Result<Writer, ApiError> {
        Writer::resolve(conn, caller.clone())
    }

    fn current(
        conn: &mut Conn,
        writer: &Writer,
        key: &Key,
        action: Action,
    ) -> Result<ArticleRow, ApiError> {
        match action {
            Action::Save => rules::editable(conn, writer, key),
            Action::Delete => {
                let row = crate::content::find_visible(conn, key, writer.visibility())?;
                rules::check_may_delete(writer)?;
                Ok(row)
            }
        }
    }

    fn show(conn: &mut Conn, writer: &Writer, row: ArticleRow) -> Result<Article, ApiError> {
        Ok(full_article(conn, row, writer.visibility())?)
    }

    fn save(
        conn: &mut Conn,
        writer: &Writer,
        input: ArticleInput,
        mode: WriteMode,
        current: Option<&ArticleRow>,
    ) -> Result<ArticleRow, ApiError> {
        rules::save(conn, writer, input, mode, current)
    }

    fn remove(conn: &mut Conn, writer: &Writer, row: &ArticleRow) -> Result<(), ApiError> {
        rules::delete(conn, writer, row)
    }

    fn location(article: &Article) -> String {
        format!("/v1/articles/{}", article.id)
    }
}

write_handlers! {
    resource: Articles, input: ArticleInput, shown: Article, tag: "articles",
    collection: "/v1/articles", item: "/v1/articles/{key}",
    create_article: "Creates an article. Contributors create drafts credited to themselves.",
    replace_article: "Replaces an article: left-out optional fields become null or empty, except\n\
        `slug`, `status` and `published_at`, which are kept.",
    update_article: "Changes some fields of an article (JSON merge patch: `null` clears).",
    delete_article: "Deletes an article and every link to or from it. Editors and admins.",
}
