-- Search terms for residents: one row per tag ('t:党员') and per two-character piece of the name ('n:欧阳'),
-- keyed so that "this term inside this part of the map, in list order" is one index range. The tag page and
-- the name search read a page of entries instead of scanning every resident of a grid or a community.
-- Kept by the store's resident writes; see residents::search_terms for how terms are made.
CREATE TABLE resident_terms (
    term         TEXT NOT NULL,
    place_path   TEXT NOT NULL,
    resident_id  BLOB NOT NULL,
    PRIMARY KEY (term, place_path, resident_id)
) WITHOUT ROWID;

INSERT OR IGNORE INTO resident_terms (term, place_path, resident_id)
    SELECT 't:' || j.value, r.place_path, r.id FROM residents r, json_each(r.tags) j;

WITH RECURSIVE pos(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM pos WHERE i < 100)
INSERT OR IGNORE INTO resident_terms (term, place_path, resident_id)
    SELECT 'n:' || substr(r.name, pos.i, 2), r.place_path, r.id
    FROM residents r JOIN pos ON pos.i < length(r.name);

-- The name search no longer walks (community_id, name); one index fewer to keep on every write.
DROP INDEX residents_community_name;
