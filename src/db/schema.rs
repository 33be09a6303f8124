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
    second_factors (user_id) {
        user_id -> Text,
        secret -> Text,
        enabled_at -> Timestamp,
        last_step -> BigInt,
    }
}

diesel::table! {
    recovery_codes (id) {
        id -> Text,
        user_id -> Text,
        code_hash -> Text,
        used_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    role_policies (role) {
        role -> Text,
        second_factor_required -> Bool,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    identities (id) {
        id -> Text,
        provider -> Text,
        subject -> Text,
        user_id -> Nullable<Text>,
        email -> Text,
        email_verified -> Bool,
        name -> Text,
        siret -> Nullable<Text>,
        organizational_unit -> Nullable<Text>,
        state -> Text,
        created_at -> Timestamp,
        last_login_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    user_sessions (id) {
        id -> Text,
        user_id -> Text,
        means -> Text,
        user_agent -> Text,
        address -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
        closed_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    auto_joins (organisation_id) {
        organisation_id -> Text,
        enabled_at -> Timestamp,
        enabled_by -> Text,
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

diesel::table! {
    organisation_indicators (id) {
        id -> Text,
        organisation_id -> Text,
        code -> Text,
        name -> Text,
        unit -> Text,
        direction -> Text,
        target -> Nullable<Double>,
        frequency -> Text,
        definition -> Text,
        numerator -> Text,
        denominator -> Text,
        source -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    indicator_targets (organisation_id, indicator_code) {
        organisation_id -> Text,
        indicator_code -> Text,
        target -> Double,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    indicator_values (id) {
        id -> Text,
        organisation_id -> Text,
        site_id -> Nullable<Text>,
        indicator_code -> Text,
        period -> Text,
        period_start -> Date,
        value -> Double,
        numerator -> Nullable<Double>,
        denominator -> Nullable<Double>,
        source -> Text,
        entered_by -> Text,
        entered_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    survey_waves (id) {
        id -> Text,
        organisation_id -> Text,
        title -> Text,
        scale -> Text,
        fieldwork_end -> Date,
        respondents -> Nullable<Integer>,
        provider -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    survey_results (id) {
        id -> Text,
        wave_id -> Text,
        theme -> Text,
        site_id -> Nullable<Text>,
        value -> Double,
        respondents -> Nullable<Integer>,
    }
}

diesel::table! {
    change_clock (scope) {
        scope -> Text,
        tick -> BigInt,
    }
}

diesel::table! {
    login_failures (kind, key) {
        kind -> Text,
        key -> Text,
        failures -> Integer,
        first_failure -> Timestamp,
        locked_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    issued_reports (fingerprint) {
        fingerprint -> Text,
        audit_id -> Text,
        organisation_name -> Text,
        audit_title -> Text,
        content_date -> Date,
        first_issued_at -> Timestamp,
    }
}

diesel::joinable!(sites -> organisations (organisation_id));
diesel::joinable!(users -> organisations (organisation_id));
diesel::joinable!(api_tokens -> users (user_id));
diesel::joinable!(second_factors -> users (user_id));
diesel::joinable!(identities -> users (user_id));
diesel::joinable!(auto_joins -> organisations (organisation_id));
diesel::joinable!(recovery_codes -> users (user_id));
diesel::joinable!(user_sessions -> users (user_id));

diesel::table! {
    framework_sources (framework_id) {
        framework_id -> Text,
        source -> Text,
    }
}

diesel::table! {
    frameworks (id) {
        id -> Text,
        code -> Text,
        version -> Text,
        name -> Text,
        kind -> Text,
        owner -> Text,
        effective_date -> Nullable<Date>,
        description -> Text,
        cycle -> Text,
        organisation_id -> Nullable<Text>,
        based_on_id -> Nullable<Text>,
        content_hash -> Text,
        requirements_count -> Integer,
        indicators_count -> Integer,
        imported_at -> Timestamp,
    }
}

diesel::table! {
    framework_requirements (id) {
        id -> Text,
        framework_id -> Text,
        #[sql_name = "ref"]
        reference -> Text,
        parent_ref -> Nullable<Text>,
        position -> Integer,
        depth -> Integer,
        title -> Text,
        guidance -> Nullable<Text>,
        evidence -> Text,
        indicator_codes -> Text,
        applicability -> Nullable<Text>,
        to_confirm -> Bool,
        search_key -> Text,
    }
}

diesel::table! {
    framework_indicators (id) {
        id -> Text,
        framework_id -> Text,
        code -> Text,
        name -> Text,
        unit -> Text,
        direction -> Text,
        target -> Nullable<Double>,
        frequency -> Text,
        definition -> Text,
        numerator -> Nullable<Text>,
        denominator -> Nullable<Text>,
        source -> Nullable<Text>,
        sla_unit -> Nullable<Text>,
        sla_value -> Nullable<Integer>,
        to_confirm -> Bool,
        position -> Integer,
    }
}

diesel::table! {
    framework_grades (id) {
        id -> Text,
        framework_id -> Text,
        code -> Text,
        label -> Text,
        abbreviation -> Nullable<Text>,
        severity -> Integer,
        nonconformity -> Bool,
        blocks_decision -> Bool,
        response_days -> Nullable<Integer>,
        response_unit -> Nullable<Text>,
        closure -> Text,
        description -> Nullable<Text>,
        position -> Integer,
    }
}

diesel::table! {
    framework_mappings (id) {
        id -> Text,
        framework_id -> Text,
        from_ref -> Text,
        to_code -> Text,
        to_version -> Text,
        to_ref -> Text,
        relation -> Text,
        note -> Nullable<Text>,
    }
}

diesel::table! {
    commitments (id) {
        id -> Text,
        organisation_id -> Text,
        framework_id -> Text,
        state -> Text,
        all_sites -> Bool,
        body -> Text,
        certificate_number -> Text,
        auditor_id -> Nullable<Text>,
        start_date -> Date,
        notes -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    commitment_sites (commitment_id, site_id) {
        commitment_id -> Text,
        site_id -> Text,
    }
}

diesel::table! {
    commitment_events (id) {
        id -> Text,
        commitment_id -> Text,
        kind -> Text,
        event_date -> Date,
        from_state -> Nullable<Text>,
        to_state -> Nullable<Text>,
        step_code -> Nullable<Text>,
        reason -> Text,
        author_id -> Nullable<Text>,
        author_label -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    calendar_feeds (id) {
        id -> Text,
        user_id -> Text,
        name -> Text,
        token_hash -> Text,
        filter -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    audits (id) {
        id -> Text,
        commitment_id -> Text,
        organisation_id -> Text,
        framework_id -> Text,
        step_code -> Nullable<Text>,
        kind -> Text,
        title -> Text,
        start_date -> Date,
        end_date -> Date,
        state -> Text,
        lead_auditor_id -> Nullable<Text>,
        decision -> Nullable<Text>,
        decision_date -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    audit_team (audit_id, user_id) {
        audit_id -> Text,
        user_id -> Text,
    }
}

diesel::table! {
    audit_sites (audit_id, site_id) {
        audit_id -> Text,
        site_id -> Text,
    }
}

diesel::table! {
    audit_photos (id) {
        id -> Text,
        audit_id -> Text,
        requirement_ref -> Text,
        evidence_id -> Text,
        client_key -> Text,
        taken_by -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    findings (id) {
        id -> Text,
        audit_id -> Text,
        requirement_ref -> Text,
        grade_code -> Nullable<Text>,
        finding -> Text,
        evidence_seen -> Text,
        site_ids -> Text,
        self_level -> Nullable<Text>,
        self_comment -> Text,
        evidence_ids -> Text,
        self_evidence_ids -> Text,
        updated_at -> Timestamp,
        updated_by -> Text,
        version -> Integer,
    }
}

diesel::table! {
    actions (id) {
        id -> Text,
        organisation_id -> Text,
        audit_id -> Nullable<Text>,
        finding_id -> Nullable<Text>,
        requirement_ref -> Text,
        title -> Text,
        correction -> Text,
        root_cause -> Text,
        corrective_action -> Text,
        owner -> Text,
        due_date -> Date,
        status -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
        origin -> Text,
        framework_id -> Nullable<Text>,
        site_id -> Nullable<Text>,
        owner_id -> Nullable<Text>,
        priority -> Text,
    }
}

diesel::table! {
    action_updates (id) {
        id -> Text,
        action_id -> Text,
        at -> Timestamp,
        author_label -> Text,
        status -> Text,
        note -> Text,
    }
}

diesel::table! {
    evidence (id) {
        id -> Text,
        organisation_id -> Text,
        title -> Text,
        site_id -> Nullable<Text>,
        effective_date -> Nullable<Date>,
        valid_until -> Nullable<Date>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        version -> Integer,
    }
}

diesel::table! {
    evidence_requirements (evidence_id, framework_code, requirement_ref) {
        evidence_id -> Text,
        framework_code -> Text,
        requirement_ref -> Text,
    }
}

diesel::table! {
    evidence_files (id) {
        id -> Text,
        evidence_id -> Text,
        sha256 -> Text,
        file_name -> Text,
        content_type -> Text,
        size -> BigInt,
        uploaded_at -> Timestamp,
        uploaded_by -> Text,
    }
}

diesel::joinable!(evidence_files -> evidence (evidence_id));
diesel::joinable!(evidence_requirements -> evidence (evidence_id));
diesel::joinable!(indicator_values -> organisations (organisation_id));
diesel::joinable!(indicator_values -> sites (site_id));
diesel::joinable!(survey_results -> survey_waves (wave_id));
diesel::joinable!(issued_reports -> audits (audit_id));
diesel::joinable!(actions -> audits (audit_id));
diesel::joinable!(action_updates -> actions (action_id));
diesel::joinable!(audits -> commitments (commitment_id));
diesel::joinable!(audits -> organisations (organisation_id));
diesel::joinable!(audits -> frameworks (framework_id));
diesel::joinable!(audit_team -> audits (audit_id));
diesel::joinable!(audit_sites -> audits (audit_id));
diesel::joinable!(findings -> audits (audit_id));
diesel::joinable!(audit_photos -> audits (audit_id));
diesel::joinable!(audit_photos -> evidence (evidence_id));
diesel::joinable!(commitments -> organisations (organisation_id));
diesel::joinable!(commitments -> frameworks (framework_id));
diesel::joinable!(commitments -> users (auditor_id));
diesel::joinable!(commitment_sites -> commitments (commitment_id));
diesel::joinable!(commitment_sites -> sites (site_id));
diesel::joinable!(commitment_events -> commitments (commitment_id));
diesel::joinable!(calendar_feeds -> users (user_id));
diesel::joinable!(frameworks -> organisations (organisation_id));
diesel::joinable!(framework_requirements -> frameworks (framework_id));
diesel::joinable!(framework_indicators -> frameworks (framework_id));
diesel::joinable!(framework_grades -> frameworks (framework_id));
diesel::joinable!(framework_mappings -> frameworks (framework_id));

diesel::joinable!(framework_sources -> frameworks (framework_id));

diesel::allow_tables_to_appear_in_same_query!(
    framework_sources,
    organisations,
    sites,
    users,
    api_tokens,
    second_factors,
    recovery_codes,
    role_policies,
    identities,
    auto_joins,
    user_sessions,
    history,
    frameworks,
    framework_requirements,
    framework_indicators,
    framework_grades,
    framework_mappings,
    commitments,
    commitment_sites,
    commitment_events,
    calendar_feeds,
    audits,
    audit_team,
    audit_sites,
    audit_photos,
    findings,
    actions,
    action_updates,
    evidence,
    evidence_files,
    evidence_requirements,
    organisation_indicators,
    indicator_targets,
    indicator_values,
    survey_waves,
    survey_results,
    issued_reports,
);
