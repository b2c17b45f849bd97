-- The three lists (三单制, issue 5): demands, resources and projects, each belonging to a community and a
-- quarter (the lists are refreshed and published quarterly; older quarters stay as history).

CREATE TABLE demands (
    id             {UUID} PRIMARY KEY NOT NULL,
    community_id   {UUID} NOT NULL,
    -- The household's place, the named place, or the community.
    place_path     TEXT{C} NOT NULL,
    category       TEXT NOT NULL,
    content        TEXT NOT NULL,
    urgency        TEXT NOT NULL,
    resident_id    {UUID} REFERENCES residents(id),
    household_id   {UUID} REFERENCES households(id),
    group_text     TEXT NOT NULL,
    skills         TEXT NOT NULL,
    wanted_from    {DATE},
    wanted_to      {DATE},
    source         TEXT NOT NULL,
    status         TEXT NOT NULL,
    quarter        TEXT NOT NULL,
    created_by     {UUID},
    created_at     {TS} NOT NULL,
    updated_at     {TS} NOT NULL
);
CREATE INDEX demands_list ON demands(place_path, quarter, status);
CREATE INDEX demands_open ON demands(status, community_id);

CREATE TABLE resources (
    id               {UUID} PRIMARY KEY NOT NULL,
    community_id     {UUID} NOT NULL,
    -- The place whose subtree it serves (the community, or a street for a street-wide partner).
    place_path       TEXT{C} NOT NULL,
    kind             TEXT NOT NULL,
    name             TEXT NOT NULL,
    categories       TEXT NOT NULL,
    skills           TEXT NOT NULL,
    capacity         BIGINT,
    used             BIGINT NOT NULL,
    availability     TEXT NOT NULL,
    weekdays         BIGINT NOT NULL,
    available_from   {DATE},
    available_until  {DATE},
    provider_id      {UUID},
    provider_name    TEXT NOT NULL,
    ratings_sum      BIGINT NOT NULL,
    ratings_count    BIGINT NOT NULL,
    status           TEXT NOT NULL,
    quarter          TEXT NOT NULL,
    created_by       {UUID},
    created_at       {TS} NOT NULL,
    updated_at       {TS} NOT NULL
);
CREATE INDEX resources_reach ON resources(place_path, status);

CREATE TABLE projects (
    id             {UUID} PRIMARY KEY NOT NULL,
    community_id   {UUID} NOT NULL,
    place_path     TEXT{C} NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL,
    status         TEXT NOT NULL,
    quarter        TEXT NOT NULL,
    meeting        TEXT NOT NULL,
    results        TEXT NOT NULL,
    created_by     {UUID},
    created_at     {TS} NOT NULL,
    updated_at     {TS} NOT NULL
);
CREATE INDEX projects_list ON projects(place_path, quarter);

CREATE TABLE project_links (
    project_id    {UUID} NOT NULL REFERENCES projects(id),
    community_id  {UUID} NOT NULL,
    object_type   TEXT NOT NULL,
    object_id     {UUID} NOT NULL,
    PRIMARY KEY (project_id, object_type, object_id)
);
CREATE INDEX project_links_object ON project_links(object_type, object_id);

CREATE TABLE project_claims (
    id              {UUID} PRIMARY KEY NOT NULL,
    community_id    {UUID} NOT NULL,
    project_id      {UUID} NOT NULL REFERENCES projects(id),
    claimant_name   TEXT NOT NULL,
    claimant_kind   TEXT NOT NULL,
    note            TEXT NOT NULL,
    claimed_by      {UUID},
    claimed_at      {TS} NOT NULL
);
CREATE INDEX project_claims_project ON project_claims(project_id, claimed_at);

CREATE TABLE project_timeline (
    id            {UUID} PRIMARY KEY NOT NULL,
    community_id  {UUID} NOT NULL,
    project_id    {UUID} NOT NULL REFERENCES projects(id),
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    action        TEXT NOT NULL,
    actor_id      {UUID},
    at            {TS} NOT NULL,
    note          TEXT NOT NULL
);
CREATE INDEX project_timeline_project ON project_timeline(project_id, at);

-- Past ratings of a community's volunteers are read for every match: from the evaluations (few), not by
-- scanning the community's orders (many).
CREATE INDEX order_evaluations_community ON order_evaluations(community_id, by_party);

-- The dispatch board's counts, moved in the same transaction as each order's status: one row per grid (or
-- community, for orders without a household) and status, and one for everything (bucket '/'). A street's
-- board sums a few hundred rows instead of counting 100,000 orders; `wushe check` verifies them.
CREATE TABLE order_counts (
    bucket        TEXT{C} NOT NULL,
    community_id  {UUID},
    status        TEXT NOT NULL,
    n             BIGINT NOT NULL,
    PRIMARY KEY (bucket, status)
);
-- Newest-first pages of a busy street's board read this instead of sorting the street's orders.
CREATE INDEX orders_recent ON orders(created_at, id);

-- An order placed from a phone may carry photos (the leaking tap, the broken wheelchair), as events do.
ALTER TABLE orders ADD COLUMN photos TEXT NOT NULL DEFAULT '[]';
