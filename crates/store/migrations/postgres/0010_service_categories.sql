-- Generated from migrations/template/0010_service_categories.sql by render.py; edit the template.
-- Each community's tree of service categories (issue 5): the defaults (养老, 助残, 儿童, 医疗健康, 法律, 环境,
-- 文化, 就业, 其他) are built in; a community adds its own under them (养老 → 助餐, 助浴) or beside them.
CREATE TABLE service_categories (
    id            uuid PRIMARY KEY NOT NULL,
    community_id  uuid NOT NULL,
    parent        TEXT NOT NULL,
    name          TEXT NOT NULL,
    created_by    uuid,
    created_at    timestamptz NOT NULL
);
CREATE UNIQUE INDEX service_categories_name ON service_categories(community_id, name);
