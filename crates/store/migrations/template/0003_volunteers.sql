-- Volunteers, teams, activities, service hours, the points bank and the charity supermarket (issue 4).
-- Ledgers (service_records, points_entries, stock_entries) are append-only: a correction is a new row that
-- points at the row it reverses. The cached totals on volunteers and supermarket_items are updated in the
-- same transaction as the entry and checked against the sums by `wushe check`.

-- Named counters for public numbers (volunteer_no, receipt numbers, certificate numbers).
CREATE TABLE counters (
    name   TEXT PRIMARY KEY NOT NULL,
    value  BIGINT NOT NULL
);

CREATE TABLE volunteers (
    id                       {UUID} PRIMARY KEY NOT NULL,
    community_id             {UUID} NOT NULL,
    place_path               TEXT{C} NOT NULL,
    volunteer_no             TEXT NOT NULL,
    name                     TEXT NOT NULL,
    sex                      TEXT,
    birth_date               {DATE},
    id_number_enc            {BYTES},
    id_number_hash           TEXT,
    id_number_mask           TEXT,
    phone_enc                {BYTES},
    phone_hash               TEXT,
    phone_mask               TEXT,
    resident_id              {UUID} REFERENCES residents(id),
    user_id                  {UUID} REFERENCES users(id),
    skills                   TEXT NOT NULL,
    categories               TEXT NOT NULL,
    party_member             BOOLEAN NOT NULL,
    in_service_party_member  BOOLEAN NOT NULL,
    work_unit                TEXT NOT NULL,
    availability             TEXT NOT NULL,
    status                   TEXT NOT NULL,
    points_balance           BIGINT NOT NULL,
    total_minutes            BIGINT NOT NULL,
    created_at               {TS} NOT NULL,
    created_by               {UUID},
    updated_at               {TS} NOT NULL
);
CREATE UNIQUE INDEX volunteers_no ON volunteers(volunteer_no);
CREATE UNIQUE INDEX volunteers_id_number ON volunteers(id_number_hash);
CREATE UNIQUE INDEX volunteers_resident ON volunteers(resident_id);
CREATE INDEX volunteers_path ON volunteers(place_path, volunteer_no);
CREATE INDEX volunteers_user ON volunteers(user_id);

-- Teams and their sub-groups (策划组, 探访组...): a sub-group is a team with a parent.
CREATE TABLE teams (
    id            {UUID} PRIMARY KEY NOT NULL,
    community_id  {UUID} NOT NULL,
    place_path    TEXT{C} NOT NULL,
    parent_id     {UUID} REFERENCES teams(id),
    name          TEXT NOT NULL,
    description   TEXT NOT NULL,
    leader_id     {UUID} REFERENCES volunteers(id),
    archived_at   {TS},
    created_at    {TS} NOT NULL,
    created_by    {UUID},
    updated_at    {TS} NOT NULL
);
CREATE INDEX teams_path ON teams(place_path, name);
CREATE INDEX teams_parent ON teams(parent_id);

CREATE TABLE team_members (
    id            {UUID} PRIMARY KEY NOT NULL,
    community_id  {UUID} NOT NULL,
    team_id       {UUID} NOT NULL REFERENCES teams(id),
    volunteer_id  {UUID} NOT NULL REFERENCES volunteers(id),
    role          TEXT NOT NULL,
    joined_on     {DATE} NOT NULL,
    left_on       {DATE},
    note          TEXT NOT NULL,
    created_at    {TS} NOT NULL,
    created_by    {UUID}
);
-- One current membership per team and volunteer; past ones stay as history.
CREATE UNIQUE INDEX team_members_current ON team_members(team_id, volunteer_id) WHERE left_on IS NULL;
CREATE INDEX team_members_volunteer ON team_members(volunteer_id);

CREATE TABLE activities (
    id            {UUID} PRIMARY KEY NOT NULL,
    community_id  {UUID} NOT NULL,
    place_path    TEXT{C} NOT NULL,
    team_id       {UUID} REFERENCES teams(id),
    title         TEXT NOT NULL,
    content       TEXT NOT NULL,
    place_text    TEXT NOT NULL,
    starts_at     {TS} NOT NULL,
    ends_at       {TS} NOT NULL,
    capacity      BIGINT NOT NULL,
    skills        TEXT NOT NULL,
    tasks         TEXT NOT NULL,
    status        TEXT NOT NULL,
    checkin_code  TEXT NOT NULL,
    summary       TEXT,
    feedback      TEXT,
    photos        TEXT NOT NULL,
    created_at    {TS} NOT NULL,
    created_by    {UUID},
    updated_at    {TS} NOT NULL
);
CREATE INDEX activities_path ON activities(place_path, starts_at);
CREATE INDEX activities_team ON activities(team_id);

CREATE TABLE activity_timeline (
    id            {UUID} PRIMARY KEY NOT NULL,
    community_id  {UUID} NOT NULL,
    activity_id   {UUID} NOT NULL REFERENCES activities(id),
    from_status   TEXT,
    to_status     TEXT NOT NULL,
    actor_id      {UUID},
    at            {TS} NOT NULL,
    note          TEXT NOT NULL
);
CREATE INDEX activity_timeline_activity ON activity_timeline(activity_id, at);

CREATE TABLE activity_signups (
    id              {UUID} PRIMARY KEY NOT NULL,
    community_id    {UUID} NOT NULL,
    activity_id     {UUID} NOT NULL REFERENCES activities(id),
    volunteer_id    {UUID} NOT NULL REFERENCES volunteers(id),
    starts_at       {TS} NOT NULL,
    ends_at         {TS} NOT NULL,
    signed_up_at    {TS} NOT NULL,
    assigned_by     {UUID},
    checked_in_at   {TS},
    late            BOOLEAN NOT NULL,
    checked_out_at  {TS},
    minutes         BIGINT,
    record_id       {UUID},
    no_show         BOOLEAN NOT NULL
);
CREATE UNIQUE INDEX activity_signups_once ON activity_signups(activity_id, volunteer_id);
CREATE INDEX activity_signups_volunteer ON activity_signups(volunteer_id, starts_at);

CREATE TABLE service_records (
    id            {UUID} PRIMARY KEY NOT NULL,
    community_id  {UUID} NOT NULL,
    place_path    TEXT{C} NOT NULL,
    volunteer_id  {UUID} NOT NULL REFERENCES volunteers(id),
    activity_id   {UUID} REFERENCES activities(id),
    served_on     {DATE} NOT NULL,
    minutes       BIGINT NOT NULL,
    content       TEXT NOT NULL,
    place_text    TEXT NOT NULL,
    organiser     TEXT NOT NULL,
    recorder_id   {UUID},
    reverses_id   {UUID} REFERENCES service_records(id),
    reason        TEXT,
    created_at    {TS} NOT NULL
);
CREATE UNIQUE INDEX service_records_reversal ON service_records(reverses_id);
CREATE INDEX service_records_volunteer ON service_records(volunteer_id, served_on);
CREATE INDEX service_records_path ON service_records(place_path, served_on);
CREATE INDEX service_records_activity ON service_records(activity_id);

-- Service minutes per community and month, kept with every record (and reversal) in the same
-- transaction, so the monthly chart of a street or a district sums a few hundred rows instead of
-- millions of records. `wushe check` verifies it against the records.
CREATE TABLE service_months (
    place_path    TEXT{C} NOT NULL,
    month         TEXT NOT NULL,
    community_id  {UUID} NOT NULL,
    minutes       BIGINT NOT NULL,
    records       BIGINT NOT NULL,
    PRIMARY KEY (place_path, month)
);

-- A community's points rule from valid_from on; a newer row for the same day supersedes an older one,
-- and entries keep the id of the rule that earned them.
CREATE TABLE points_policies (
    id               {UUID} PRIMARY KEY NOT NULL,
    community_id     {UUID} NOT NULL,
    valid_from       {DATE} NOT NULL,
    points_per_hour  BIGINT NOT NULL,
    points_per_item  BIGINT NOT NULL,
    star_threshold   BIGINT NOT NULL,
    rounding         TEXT NOT NULL,
    star_hours       TEXT NOT NULL,
    created_at       {TS} NOT NULL,
    created_by       {UUID}
);
CREATE INDEX points_policies_community ON points_policies(community_id, valid_from);

CREATE TABLE points_entries (
    id            {UUID} PRIMARY KEY NOT NULL,
    community_id  {UUID} NOT NULL,
    volunteer_id  {UUID} NOT NULL REFERENCES volunteers(id),
    year          INTEGER NOT NULL,
    earned_on     {DATE} NOT NULL,
    kind          TEXT NOT NULL,
    points        BIGINT NOT NULL,
    policy_id     {UUID} REFERENCES points_policies(id),
    source_id     {UUID},
    reverses_id   {UUID} REFERENCES points_entries(id),
    note          TEXT NOT NULL,
    created_at    {TS} NOT NULL,
    created_by    {UUID}
);
CREATE INDEX points_entries_volunteer ON points_entries(volunteer_id, year);

-- Supermarket goods and merchant vouchers (早餐券, 理发券...): both have a stock kept by stock_entries.
CREATE TABLE supermarket_items (
    id            {UUID} PRIMARY KEY NOT NULL,
    community_id  {UUID} NOT NULL,
    place_path    TEXT{C} NOT NULL,
    kind          TEXT NOT NULL,
    name          TEXT NOT NULL,
    unit          TEXT NOT NULL,
    merchant      TEXT NOT NULL,
    points_price  BIGINT NOT NULL,
    stock         BIGINT NOT NULL,
    archived_at   {TS},
    created_at    {TS} NOT NULL,
    created_by    {UUID},
    updated_at    {TS} NOT NULL
);
CREATE INDEX supermarket_items_path ON supermarket_items(place_path, name);

CREATE TABLE stock_entries (
    id            {UUID} PRIMARY KEY NOT NULL,
    community_id  {UUID} NOT NULL,
    item_id       {UUID} NOT NULL REFERENCES supermarket_items(id),
    movement      TEXT NOT NULL,
    quantity      BIGINT NOT NULL,
    stock_after   BIGINT NOT NULL,
    source_id     {UUID},
    household_id  {UUID} REFERENCES households(id),
    reason        TEXT NOT NULL,
    approver      TEXT NOT NULL,
    created_at    {TS} NOT NULL,
    created_by    {UUID}
);
CREATE INDEX stock_entries_item ON stock_entries(item_id, created_at);

CREATE TABLE item_donations (
    id                  {UUID} PRIMARY KEY NOT NULL,
    community_id        {UUID} NOT NULL,
    place_path          TEXT{C} NOT NULL,
    receipt_no          TEXT NOT NULL,
    donor_volunteer_id  {UUID} REFERENCES volunteers(id),
    donor_name          TEXT NOT NULL,
    items               TEXT NOT NULL,
    donated_on          {DATE} NOT NULL,
    points              BIGINT NOT NULL,
    created_at          {TS} NOT NULL,
    created_by          {UUID}
);
CREATE UNIQUE INDEX item_donations_receipt ON item_donations(receipt_no);
CREATE INDEX item_donations_path ON item_donations(place_path, donated_on);

CREATE TABLE redemptions (
    id            {UUID} PRIMARY KEY NOT NULL,
    community_id  {UUID} NOT NULL,
    volunteer_id  {UUID} NOT NULL REFERENCES volunteers(id),
    item_id       {UUID} NOT NULL REFERENCES supermarket_items(id),
    quantity      BIGINT NOT NULL,
    points        BIGINT NOT NULL,
    created_at    {TS} NOT NULL,
    created_by    {UUID}
);
CREATE INDEX redemptions_volunteer ON redemptions(volunteer_id, created_at);
