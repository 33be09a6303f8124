// One portable schema for SQLite and PostgreSQL: only types both backends share.

diesel::table! {
    organisations (id) {
        id -> Text,
        name -> Text,
        search_key -> Text,
        siren -> Text,
        family -> Text,
        region -> Text,
        homes -> Integer,
        federation -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    sites (id) {
        id -> Text,
        organisation_id -> Text,
        name -> Text,
        kind -> Text,
        address -> Text,
        postal_code -> Text,
        commune -> Text,
        homes -> Integer,
        qpv -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    users (id) {
        id -> Text,
        email -> Text,
        name -> Text,
        password_hash -> Text,
        role -> Text,
        organisation_id -> Nullable<Text>,
        region -> Nullable<Text>,
        must_change_password -> Bool,
        disabled -> Bool,
        locale -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
        version -> Integer,
    }
}

diesel::table! {
    api_tokens (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        prefix -> Text,
        created_at -> Timestamp,
        last_used_at -> Nullable<Timestamp>,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    history (id) {
        id -> Text,
        at -> Timestamp,
        actor_id -> Nullable<Text>,
        actor_label -> Text,
        entity -> Text,
        entity_id -> Text,
        organisation_id -> Nullable<Text>,
        action -> Text,
        before_data -> Nullable<Text>,
        after_data -> Nullable<Text>,
    }
}

diesel::joinable!(sites -> organisations (organisation_id));
diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(api_tokens -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(organisations, sites, users, api_tokens, history);
