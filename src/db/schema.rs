//! Diesel's view of the tables. Both migration sets (`migrations/sqlite`,
//! `migrations/postgres`) must produce exactly this; a test compares them.

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        email -> Text,
        password_hash -> Text,
        is_admin -> Bool,
        status -> Text,
        registration_reason -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        public_key_pem -> Nullable<Text>,
        private_key_pem -> Nullable<Text>,
        deleted_at -> Nullable<Timestamp>,
        display_name -> Nullable<Text>,
        bio -> Nullable<Text>,
        language -> Nullable<Text>,
    }
}

diesel::table! {
    sessions (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        user_agent -> Nullable<Text>,
        created_at -> Timestamp,
        last_used_at -> Timestamp,
        expires_at -> Timestamp,
    }
}

diesel::table! {
    local_names (name) {
        name -> Text,
        kind -> Text,
    }
}

diesel::table! {
    communities (id) {
        id -> BigInt,
        name -> Text,
        title -> Text,
        summary -> Nullable<Text>,
        language -> Nullable<Text>,
        discoverable -> Bool,
        public_key_pem -> Text,
        private_key_pem -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        visibility -> Text,
        join_policy -> Text,
        posting_policy -> Text,
        verified_posting_only -> Bool,
        rules -> Text,
        questions -> Text,
        welcome_message -> Nullable<Text>,
        member_list_public -> Bool,
    }
}

diesel::table! {
    instance_keys (id) {
        id -> BigInt,
        public_key_pem -> Text,
        private_key_pem -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    remote_actors (id) {
        id -> BigInt,
        ap_id -> Text,
        kind -> Text,
        domain -> Text,
        username -> Text,
        display_name -> Nullable<Text>,
        inbox -> Text,
        shared_inbox -> Nullable<Text>,
        followers_url -> Nullable<Text>,
        outbox_url -> Nullable<Text>,
        public_key_id -> Text,
        public_key_pem -> Text,
        manually_approves_followers -> Bool,
        fetched_at -> Timestamp,
        created_at -> Timestamp,
        summary -> Nullable<Text>,
    }
}

diesel::table! {
    received_activities (ap_id) {
        ap_id -> Text,
        received_at -> Timestamp,
    }
}

diesel::table! {
    follows (id) {
        id -> BigInt,
        follower_ap_id -> Text,
        target_ap_id -> Text,
        follower_user_id -> Nullable<BigInt>,
        follower_remote_id -> Nullable<BigInt>,
        target_community_id -> Nullable<BigInt>,
        target_user_id -> Nullable<BigInt>,
        target_remote_id -> Nullable<BigInt>,
        state -> Text,
        activity_id -> Text,
        attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    deliveries (id) {
        id -> BigInt,
        activity -> BigInt,
        inbox -> Text,
        domain -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outgoing_activities (id) {
        id -> BigInt,
        activity_id -> Text,
        signer_ap_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    delivery_slots (worker, slot) {
        worker -> BigInt,
        slot -> Integer,
        delivery_id -> Nullable<BigInt>,
        domain -> Nullable<Text>,
        leased_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    instances (domain) {
        domain -> Text,
        consecutive_failures -> Integer,
        failing_since -> Nullable<Timestamp>,
        last_failure_at -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        last_success_at -> Nullable<Timestamp>,
        unreachable -> Bool,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    posts (id) {
        id -> BigInt,
        ap_id -> Text,
        community_id -> Nullable<BigInt>,
        remote_community_id -> Nullable<BigInt>,
        author_user_id -> Nullable<BigInt>,
        author_remote_id -> Nullable<BigInt>,
        title -> Text,
        body_source -> Nullable<Text>,
        body_html -> Nullable<Text>,
        url -> Nullable<Text>,
        language -> Nullable<Text>,
        sensitive -> Bool,
        content_warning -> Nullable<Text>,
        pinned -> Bool,
        locked -> Bool,
        deleted -> Bool,
        pending -> Bool,
        upvotes -> Integer,
        downvotes -> Integer,
        score -> Integer,
        hot_rank -> Double,
        comment_count -> Integer,
        published_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        space_id -> Nullable<BigInt>,
        restricted -> Bool,
        removed -> Bool,
    }
}

diesel::table! {
    comments (id) {
        id -> BigInt,
        ap_id -> Text,
        post_id -> BigInt,
        parent_id -> Nullable<BigInt>,
        author_user_id -> Nullable<BigInt>,
        author_remote_id -> Nullable<BigInt>,
        body_source -> Nullable<Text>,
        body_html -> Text,
        language -> Nullable<Text>,
        deleted -> Bool,
        pending -> Bool,
        upvotes -> Integer,
        downvotes -> Integer,
        score -> Integer,
        depth -> Integer,
        published_at -> Timestamp,
        edited_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        removed -> Bool,
    }
}

diesel::table! {
    votes (id) {
        id -> BigInt,
        voter_ap_id -> Text,
        voter_user_id -> Nullable<BigInt>,
        voter_remote_id -> Nullable<BigInt>,
        post_id -> Nullable<BigInt>,
        comment_id -> Nullable<BigInt>,
        value -> Integer,
        activity_id -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    sent_activities (ap_id) {
        ap_id -> Text,
        body -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    invites (id) {
        id -> BigInt,
        community_id -> BigInt,
        code -> Text,
        created_by -> Nullable<BigInt>,
        invitee_ap_id -> Nullable<Text>,
        max_uses -> Nullable<Integer>,
        uses -> Integer,
        expires_at -> Nullable<Timestamp>,
        revoked -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    memberships (id) {
        id -> BigInt,
        community_id -> Nullable<BigInt>,
        remote_community_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        remote_actor_id -> Nullable<BigInt>,
        role -> Text,
        state -> Text,
        answers -> Nullable<Text>,
        rules_accepted_at -> Nullable<Timestamp>,
        via -> Text,
        invite_id -> Nullable<BigInt>,
        activity_id -> Nullable<Text>,
        decided_by -> Nullable<BigInt>,
        decision_reason -> Nullable<Text>,
        decided_at -> Nullable<Timestamp>,
        joined_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    spaces (id) {
        id -> BigInt,
        community_id -> BigInt,
        slug -> Text,
        title -> Text,
        audience -> Text,
        credential -> Nullable<Text>,
        is_default -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    credentials (id) {
        id -> BigInt,
        membership_id -> BigInt,
        name -> Text,
        verified_by -> Nullable<BigInt>,
        verified_by_name -> Text,
        verified_at -> Timestamp,
    }
}

diesel::table! {
    post_recipients (post_id, user_id) {
        post_id -> BigInt,
        user_id -> BigInt,
    }
}

diesel::table! {
    peer_software (domain) {
        domain -> Text,
        name -> Text,
        version -> Text,
        checked_at -> Timestamp,
    }
}

diesel::table! {
    blocklist_imports (id) {
        id -> BigInt,
        by_user_id -> Nullable<BigInt>,
        content_sha256 -> Text,
        running_key -> Nullable<Text>,
        body -> Text,
        state -> Text,
        total -> Integer,
        written -> Integer,
        added -> Integer,
        updated -> Integer,
        error -> Nullable<Text>,
        created_at -> Timestamp,
        finished_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    conversations (id) {
        id -> BigInt,
        community_id -> BigInt,
        remote_actor_id -> Nullable<BigInt>,
        user_id -> Nullable<BigInt>,
        unread -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    conversation_messages (id) {
        id -> BigInt,
        conversation_id -> BigInt,
        ap_id -> Text,
        from_community -> Bool,
        moderator_user_id -> Nullable<BigInt>,
        body_html -> Text,
        body_source -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    notifications (id) {
        id -> BigInt,
        user_id -> BigInt,
        kind -> Text,
        community_ap_id -> Nullable<Text>,
        message -> Text,
        is_read -> Bool,
        created_at -> Timestamp,
        message_key -> Nullable<Text>,
        message_args -> Nullable<Text>,
    }
}

diesel::table! {
    reports (id) {
        id -> BigInt,
        ap_id -> Nullable<Text>,
        reporter_user_id -> Nullable<BigInt>,
        reporter_remote_id -> Nullable<BigInt>,
        community_id -> Nullable<BigInt>,
        post_id -> Nullable<BigInt>,
        comment_id -> Nullable<BigInt>,
        person_user_id -> Nullable<BigInt>,
        person_remote_id -> Nullable<BigInt>,
        object_ap_ids -> Text,
        reason -> Text,
        forward -> Bool,
        forwarded_at -> Nullable<Timestamp>,
        status -> Text,
        resolution_note -> Nullable<Text>,
        resolved_by -> Nullable<BigInt>,
        resolved_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        open_key -> Nullable<Text>,
    }
}

diesel::table! {
    bans (id) {
        id -> BigInt,
        scope -> Text,
        community_id -> Nullable<BigInt>,
        person_ap_id -> Text,
        user_id -> Nullable<BigInt>,
        remote_actor_id -> Nullable<BigInt>,
        reason -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        banned_by -> Nullable<BigInt>,
        activity_id -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    mod_log (id) {
        id -> BigInt,
        moderator_user_id -> Nullable<BigInt>,
        moderator_ap_id -> Text,
        action -> Text,
        community_id -> Nullable<BigInt>,
        community_ap_id -> Nullable<Text>,
        target_kind -> Text,
        target_ap_id -> Nullable<Text>,
        target_label -> Nullable<Text>,
        reason -> Nullable<Text>,
        expires_at -> Nullable<Timestamp>,
        refused -> Bool,
        created_at -> Timestamp,
    }
}

diesel::table! {
    domain_policies (domain) {
        domain -> Text,
        severity -> Text,
        reject_media -> Bool,
        reject_reports -> Bool,
        allowed -> Bool,
        public_comment -> Nullable<Text>,
        private_comment -> Nullable<Text>,
        obfuscate -> Bool,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    instance_settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    community_domain_blocks (community_id, domain) {
        community_id -> BigInt,
        domain -> Text,
        created_by -> Nullable<BigInt>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    followed_notes (id) {
        id -> BigInt,
        ap_id -> Text,
        author_remote_id -> BigInt,
        content_html -> Text,
        url -> Nullable<Text>,
        summary -> Nullable<Text>,
        sensitive -> Bool,
        language -> Nullable<Text>,
        published_at -> Timestamp,
        updated_at -> Nullable<Timestamp>,
        received_at -> Timestamp,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(followed_notes -> remote_actors (author_remote_id));
diesel::joinable!(comments -> posts (post_id));
diesel::joinable!(credentials -> memberships (membership_id));
diesel::joinable!(spaces -> communities (community_id));
diesel::joinable!(invites -> communities (community_id));
diesel::joinable!(notifications -> users (user_id));
diesel::joinable!(conversation_messages -> conversations (conversation_id));
diesel::joinable!(deliveries -> outgoing_activities (activity));
diesel::allow_tables_to_appear_in_same_query!(
    users,
    sessions,
    communities,
    local_names,
    instance_keys,
    remote_actors,
    received_activities,
    follows,
    deliveries,
    outgoing_activities,
    delivery_slots,
    instances,
    posts,
    comments,
    votes,
    sent_activities,
    invites,
    memberships,
    spaces,
    credentials,
    post_recipients,
    notifications,
    reports,
    bans,
    mod_log,
    domain_policies,
    instance_settings,
    community_domain_blocks,
    conversations,
    conversation_messages,
    peer_software,
    blocklist_imports,
    followed_notes
);
