-- Search terms for residents: one row per tag ('t:党员') and per two-character piece of the name ('n:欧阳'),
-- keyed so that "this term inside this part of the map, in list order" is one index range. The tag page and
-- the name search read a page of entries instead of scanning every resident of a grid or a community.
-- Kept by the store's resident writes; see residents::search_terms for how terms are made.
CREATE TABLE resident_terms (
    term         TEXT COLLATE "C" NOT NULL,
    place_path   TEXT COLLATE "C" NOT NULL,
    resident_id  uuid NOT NULL,
    PRIMARY KEY (term, place_path, resident_id)
);

INSERT INTO resident_terms (term, place_path, resident_id)
    SELECT DISTINCT 't:' || j.value, r.place_path, r.id
    FROM residents r, jsonb_array_elements_text(r.tags::jsonb) j
    ON CONFLICT DO NOTHING;

INSERT INTO resident_terms (term, place_path, resident_id)
    SELECT DISTINCT 'n:' || substr(r.name, i, 2), r.place_path, r.id
    FROM residents r, generate_series(1, 100) i
    WHERE i < length(r.name)
    ON CONFLICT DO NOTHING;

-- The name search no longer walks (community_id, name); one index fewer to keep on every write.
DROP INDEX residents_community_name;
