// The portable Diesel schema shared by every backend. Kept in step with
// migrations/ by hand; the integration tests exercise every column.

diesel::table! {
    authors (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        name_key -> Text,
        bio -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        website -> Nullable<Text>,
        email -> Nullable<Text>,
        social -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        avatar_media_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    tags (id) {
        id -> BigInt,
        slug -> Text,
        name -> Text,
        name_key -> Text,
        description -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        section_position -> Nullable<Integer>,
    }
}

diesel::table! {
    articles (id) {
        id -> BigInt,
        slug -> Text,
        title -> Text,
        subtitle -> Nullable<Text>,
        body -> Text,
        body_html -> Text,
        custom_excerpt -> Nullable<Text>,
        excerpt -> Text,
        reading_time_minutes -> Integer,
        feature_image_url -> Nullable<Text>,
        feature_image_alt -> Nullable<Text>,
        feature_image_caption -> Nullable<Text>,
        feature_image_credit -> Nullable<Text>,
        status -> Text,
        published_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        meta_title -> Nullable<Text>,
        meta_description -> Nullable<Text>,
        og_title -> Nullable<Text>,
        og_description -> Nullable<Text>,
        og_image -> Nullable<Text>,
        canonical_url -> Nullable<Text>,
        feature_media_id -> Nullable<BigInt>,
    }
}

diesel::table! {
    article_authors (article_id, author_id) {
        article_id -> BigInt,
        author_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    article_tags (article_id, tag_id) {
        article_id -> BigInt,
        tag_id -> BigInt,
        position -> Integer,
    }
}

diesel::table! {
    article_links (article_id, target_id) {
        article_id -> BigInt,
        target_id -> BigInt,
        kind -> Text,
        label -> Text,
        position -> Integer,
    }
}

diesel::table! {
    media (id) {
        id -> BigInt,
        hash -> Text,
        mime -> Text,
        width -> Integer,
        height -> Integer,
        bytes -> BigInt,
        alt -> Nullable<Text>,
        caption -> Nullable<Text>,
        credit -> Nullable<Text>,
        search_key -> Text,
        focal_x -> Double,
        focal_y -> Double,
        blurhash -> Text,
        color -> Text,
        created_by -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    media_originals (hash) {
        hash -> Text,
        bytes -> Binary,
    }
}

diesel::joinable!(article_authors -> articles (article_id));
diesel::joinable!(article_authors -> authors (author_id));
diesel::joinable!(article_tags -> articles (article_id));
diesel::joinable!(article_tags -> tags (tag_id));

diesel::allow_tables_to_appear_in_same_query!(
    authors,
    tags,
    articles,
    article_authors,
    article_tags,
    article_links,
    media,
);

diesel::table! {
    /// Kept by triggers on `articles`.
    article_status_counts (status) {
        status -> Text,
        n -> BigInt,
    }
}

diesel::table! {
    change_log (id) {
        id -> BigInt,
        changed_at -> Timestamp,
        version -> BigInt,
    }
}
